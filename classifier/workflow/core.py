"""The internals every workflow action shares: the checks before it, the guards that route a
decision, and the writes after it.

:class:`ActionCore` loads and checks the actor, the role, the version, the transition and
self-review (:meth:`ActionCore._begin`), writes the decision row and the document's new
state with its audit event (:meth:`ActionCore._decision`, :meth:`ActionCore._finish`), and
applies the rules of a settling decision (:meth:`ActionCore._route`,
:meth:`ActionCore._settled_fields`):

- 定密权限: a level above the office's ``authority_max_level`` is not final here; the record
  goes to 报请上级定密 (``refer``) and is handled at that level while the superior decides;
- a level above the cited clause's catalogue level, below it without a reason code, clause
  4.12, and a drafter–director disagreement go to the leading group (``escalate``): the
  director cannot settle them alone;
- a secret's period is checked against the law (绝密 30, 机密 20, 秘密 10 years) and one of a
  period or a condition is required;
- a settled secret records its date of issue and gets its register number in the same
  transaction.

Source: issue 12 (items 1, 4, 5); the regulation 五(二)–(三); ../shared/docs/law-notes.md
("authority", "unclear or disputed matters", "longest periods", "when a period starts").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from classifier.catalogue import Level
from classifier.documents.rules import (
    LEADING_GROUP_REASON_LABELS,
    authority_allows,
    check_period,
    check_register_pattern,
    format_register_number,
    needs_leading_group,
    period_end,
)
from classifier.errors import (
    IllegalTransitionError,
    InvalidDecisionError,
    PermissionDeniedError,
    SelfReviewError,
    StaleVersionError,
)
from classifier.store import Document, StoreTx, User
from classifier.workflow.classification import Classification
from classifier.workflow.reads import WorkflowReads
from classifier.workflow.states import (
    ACTION_LABELS,
    REVIEW_ACTIONS,
    TRANSITIONS,
    Action,
    Role,
    Status,
)


@dataclass(frozen=True)
class Route:
    """Where a settling decision goes: its own action, or the one the guards send it to.

    Attributes
    ----------
    action : Action
        The action performed: the one asked for, :attr:`Action.ESCALATE` (leading group) or
        :attr:`Action.REFER` (报请上级定密).
    reasons : tuple of str
        Why it was routed (codes of :data:`classifier.documents.rules.LEADING_GROUP_REASONS`
        or ``"above_authority"``); empty when not routed.
    """

    action: Action
    reasons: tuple[str, ...] = ()

    @property
    def routed(self) -> bool:
        """True when the decision was sent elsewhere."""
        return bool(self.reasons)

    @property
    def note(self) -> str:
        """The routing reasons in Chinese, for the decision's reason and the flash message."""
        return "；".join(ROUTE_LABELS.get(r, r) for r in self.reasons)


#: Why a decision went to a superior (报请上级定密).
ABOVE_AUTHORITY = "above_authority"
#: Chinese labels of every routing reason.
ROUTE_LABELS = {**LEADING_GROUP_REASON_LABELS, ABOVE_AUTHORITY: "超出本机关定密权限，须报请上级机关确定"}


def local_today(now: Any) -> date:
    """The local calendar day of an aware datetime (dates of issue and periods are days)."""
    return now.astimezone().date()


class ActionCore(WorkflowReads):
    """Checks, guards and writes shared by every action (see the module docstring)."""

    # --- rules ---

    def _authority(self) -> Level:
        """The office's 定密权限 as a level (from :class:`classifier.config.DecisionPolicy`)."""
        try:
            return Level.from_label(self.decision_policy.authority_max_level)
        except ValueError:
            raise InvalidDecisionError(
                f"定密权限设置无效：{self.decision_policy.authority_max_level!r}，"
                "应为秘密、机密或绝密") from None

    def _route(self, action: Action, c: Classification, *, drafter_level: Level | None,
               reason_code: str | None, check_clause: bool,
               check_authority: bool = True) -> Route:
        """Apply the guards to a settling decision ``c`` asked for as ``action``.

        Raises
        ------
        PeriodRequiredError, PeriodTooLongError, InvalidPeriodError
            The period of a secret breaks the law (nothing is written).
        InvalidDecisionError
            A clause not in the catalogue, or a bad 定密权限 setting.
        """
        check_period(c.level, c.period_years, c.condition)
        if check_authority and not authority_allows(c.level, self._authority()):
            return Route(Action.REFER, (ABOVE_AUTHORITY,))
        if check_clause and self.catalogue is not None:
            reasons = needs_leading_group(c.level, c.clause, self.catalogue, reason_code,
                                          drafter_level)
            if reasons:
                return Route(Action.ESCALATE, reasons)
        elif check_clause and drafter_level is not None and drafter_level != c.level:
            return Route(Action.ESCALATE, ("drafter_disagrees",))
        return Route(action)

    def _settled_fields(self, tx: StoreTx, doc: Document, c: Classification, *,
                        issued_on: date | None, declassify_to: Level | None,
                        keep_issue_date: bool = False) -> dict[str, Any]:
        """The document columns a settling decision writes besides the classification.

        The date of issue (制发日, default today) starts the period: its last day is
        :func:`~classifier.documents.rules.period_end`. A secret gets a register number
        (登记编号) here, inside the decision's transaction, unless it has one already; a
        number is never reused. ``declassify_to`` (内部 or 公开, default 内部: regulation
        五(五)2) is what the matter becomes when it is declassified.
        """
        if not c.level.is_secret:
            return {"issued_on": issued_on or doc.issued_on or local_today(self.now()),
                    "period_ends_on": None, "declassify_to": None}
        issued = (doc.issued_on if keep_issue_date and doc.issued_on else None) or issued_on \
            or local_today(self.now())
        after = declassify_to or (Level.from_label(doc.declassify_to) if doc.declassify_to
                                  else Level.NEIBU)
        if after.is_secret:
            raise InvalidDecisionError(f"解密后应作为内部事项管理或公开，不能为{after.label}")
        fields: dict[str, Any] = {
            "issued_on": issued,
            "period_ends_on": period_end(issued, c.period_years) if c.period_years else None,
            "declassify_to": after.label,
        }
        if doc.register_number is None:
            fields.update(self._register_number(tx, local_today(self.now()).year))
        return fields

    def _register_number(self, tx: StoreTx, year: int) -> dict[str, Any]:
        """Allocate the next register number of ``year`` (issue 12, item 4)."""
        pattern = check_register_pattern(self.decision_policy.register_pattern)
        seq = tx.next_register_seq(year)
        return {"register_number": format_register_number(year, seq, pattern),
                "register_year": year, "register_seq": seq}

    def _refer(self, tx: StoreTx, actor: User, doc: Document, c: Classification, route: Route,
               reason: str, *, requested: Action, reason_code: str | None = None,
               passages: list[dict[str, int]] | None = None,
               reason_codes: Sequence[str] = ()) -> Document:
        """报请上级定密: handled at ``c``'s level at once (a secret gets its register number);
        ``passages`` are the ones the reviewer ticked (issue 9 §8), kept with the referral."""
        if Status(doc.status) not in TRANSITIONS[Action.REFER].sources:
            raise IllegalTransitionError(
                f"《{doc.filename}》当前状态为“{Status(doc.status).label}”，不能报请上级定密")
        note = "；".join(x for x in (route.note, reason) if x)
        fields: dict[str, Any] = dict(c.as_fields())
        if c.level.is_secret and doc.register_number is None:
            fields.update(self._register_number(tx, local_today(self.now()).year))
        self._decision(tx, Action.REFER, actor, doc, c.as_fields(), note, passages,
                       reason_code=reason_code, reason_codes=reason_codes,
                       register_number=fields.get("register_number") or doc.register_number)
        return self._finish(tx, Action.REFER, actor, doc, fields=fields, reason=note,
                            detail={**fields, "requested": requested.value,
                                    "route": list(route.reasons),
                                    **({"reason_codes": list(reason_codes)} if reason_codes
                                       else {})})

    # --- the steps of every action ---

    def _begin(
        self, tx: StoreTx, action: Action, actor_id: int, document_id: int,
        expected_version: int | None,
    ) -> tuple[User, Document]:
        """Load and check actor, role, need to know, version, transition and self-review.

        A drafter acts only on documents they uploaded or proposed
        (:meth:`~classifier.workflow.reads.WorkflowReads.may_read`); that is checked before
        anything that would name the document or its status.

        Raises
        ------
        PermissionDeniedError, StaleVersionError, IllegalTransitionError, SelfReviewError
        """
        t = TRANSITIONS[action]
        actor = tx.user(actor_id)
        if Role(actor.role) not in t.roles:
            allowed = "、".join(r.label for r in Role if r in t.roles)
            raise PermissionDeniedError(
                f"{Role(actor.role).label}{actor.name}无权执行“{ACTION_LABELS[action]}”（仅限{allowed}）"
            )
        doc = tx.document(document_id)
        if Role(actor.role) is Role.DRAFTER and not self.may_read(actor, doc):
            # need to know first, so a refusal names neither the file nor its status
            raise PermissionDeniedError(f"文件记录 #{doc.id} 不在您的知悉范围内")
        if expected_version is not None and doc.version != expected_version:
            raise StaleVersionError(
                f"《{doc.filename}》已被他人处理（当前状态：{Status(doc.status).label}），请刷新后重试"
            )
        if Status(doc.status) not in t.sources:
            raise IllegalTransitionError(
                f"《{doc.filename}》当前状态为“{Status(doc.status).label}”，不能执行“{ACTION_LABELS[action]}”"
            )
        if action in REVIEW_ACTIONS:
            proposal = tx.latest_proposal(doc.id)
            if proposal is not None and proposal.drafter_id == actor.id:
                raise SelfReviewError("不能审核本人拟定的文件，请由其他审核人办理")
        return actor, doc

    def _decision(
        self, tx: StoreTx, action: Action, actor: User, doc: Document, fields: dict[str, Any],
        reason: str, passages: list[dict[str, int]] | None = None, *,
        reason_code: str | None = None, supersedes_id: int | None = None,
        issued_on: date | None = None, register_number: str | None = None,
        declassify_to: str | None = None, reason_codes: Sequence[str] = (),
    ) -> int:
        """Write the decision row; return its id. ``reason_codes`` (issue 14 §1) are stored
        as given and the first also as ``reason_code`` when that is not given."""
        return tx.add_decision(document_id=doc.id, kind=action.value, actor_id=actor.id,
                               actor_role=actor.role, reason=reason, passages=passages,
                               reason_code=reason_code or (reason_codes[0] if reason_codes
                                                           else None),
                               reason_codes=list(reason_codes) or None,
                               supersedes_id=supersedes_id,
                               issued_on=issued_on, register_number=register_number,
                               declassify_to=declassify_to, **fields).id

    def _finish(
        self, tx: StoreTx, action: Action, actor: User, doc: Document, *,
        fields: dict[str, Any], reason: str, detail: dict[str, Any],
        target: Status | None = None,
    ) -> Document:
        """Write the document's new status (the transition's target, or ``target`` for an
        action that returns to an earlier status) and the audit event."""
        to = target or TRANSITIONS[action].target
        assert to is not None, action
        new = tx.update_document(doc.id, doc.version, status=to.value, **fields)
        tx.add_event(action.value, document_id=doc.id, actor=actor, from_status=doc.status,
                     to_status=to.value, reason=reason,
                     detail={**_jsonable(detail), "version": new.version})
        return new


def _jsonable(detail: dict[str, Any]) -> dict[str, Any]:
    """Dates as ISO text, so that the audit event's detail is JSON."""
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in detail.items()}
