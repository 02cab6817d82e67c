"""After a classification is settled: change, declassification, and the end of a period.

- **Change and declassification** (regulation 五(五)3: 由承办人员提出意见送办公室审定，报部机关
  保密领导小组审批): the drafter proposes (:meth:`Lifecycle.request_change`,
  :meth:`Lifecycle.request_declassification`), the office director checks
  (:meth:`Lifecycle.check_change`), the leading group approves
  (:meth:`Lifecycle.approve_change`); the director or the leading group may refuse
  (:meth:`Lifecycle.reject_change`), which returns the document to where it was. The
  approval is a new decision linked to the one it replaces (``supersedes_id``); the
  classification in force does not change before it.
- **The end of a period** (五(五)1 自行解密): :meth:`Lifecycle.expire_due` declassifies every
  settled secret whose period has ended, once: it becomes 内部 or 公开 as decided
  (五(五)2); a second run finds nothing to do, and two runs at once declassify each matter
  once (the loser of a document gets ``stale_version`` and skips it).

Source: issue 12 (items 5 and 6); ../shared/docs/workflow.md (5.); ../shared/docs/law-notes.md
("change of level or period", "declassification").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from classifier.catalogue import Level
from classifier.errors import (
    EmptyReasonError,
    IllegalTransitionError,
    InvalidDecisionError,
    PermissionDeniedError,
    StaleVersionError,
)
from classifier.store import Decision, Document, Proposal, StoreTx, User
from classifier.workflow.classification import Classification
from classifier.workflow.core import ActionCore, local_today
from classifier.workflow.states import SETTLING_ACTIONS, TRANSITIONS, Action, Role, Status

#: Proposal kinds of a request under 五(五)3.
CHANGE, DECLASSIFY = "change", "declassify"
#: Decision kinds that put a classification in force (what a change supersedes).
IN_FORCE_KINDS = frozenset({a.value for a in SETTLING_ACTIONS} | {Action.DECLASSIFY.value,
                                                                   Action.EXPIRE.value})


def non_empty(text: str | None, what: str) -> str:
    """``text`` stripped; :class:`EmptyReasonError` when blank."""
    value = (text or "").strip()
    if not value:
        raise EmptyReasonError(f"{what}不能为空")
    return value


@dataclass(frozen=True)
class ExpiryRun:
    """What one run of :meth:`Lifecycle.expire_due` did.

    Attributes
    ----------
    declassified : tuple of Document
        The documents declassified by this run (each exactly once over all runs).
    skipped : tuple of int
        Ids another run declassified at the same moment.
    """

    declassified: tuple[Document, ...]
    skipped: tuple[int, ...] = ()


class Lifecycle(ActionCore):
    """Change, declassification and expiry (see the module docstring)."""

    # --- the drafter proposes ---

    def request_change(
        self, actor_id: int, document_id: int, classification: Classification, *, reason: str,
        expected_version: int | None = None,
    ) -> Document:
        """The drafter proposes a change of level or period (变更密级、变更保密期限).

        Parameters
        ----------
        classification : Classification
            The new level (a state secret), clause and period or condition.
        reason : str
            Why (required).

        Raises
        ------
        EmptyReasonError
            No reason.
        InvalidDecisionError
            Not a state secret (that is a declassification), the same classification as in
            force, or a bad period (``period_required``, ``period_too_long`` …).
        PermissionDeniedError
            Not a drafter who handled the document.
        """
        reason = non_empty(reason, "变更理由")
        c = classification.normalized(self.catalogue, require_period=True)
        if not c.level.is_secret:
            raise InvalidDecisionError(
                f"改为{c.level.label}即不再属于国家秘密，请提出解密（dingmi records declassify）")
        return self._request(actor_id, document_id, CHANGE, c, reason, expected_version)

    def request_declassification(
        self, actor_id: int, document_id: int, *, reason: str, to_level: Level = Level.NEIBU,
        expected_version: int | None = None,
    ) -> Document:
        """The drafter proposes to declassify (解密) before the period ends.

        Parameters
        ----------
        to_level : Level
            内部 (default: managed as internal, 五(五)2) or 公开.

        Raises
        ------
        InvalidDecisionError
            ``to_level`` is a secret, or the document is not a state secret.
        """
        reason = non_empty(reason, "解密理由")
        if to_level.is_secret:
            raise InvalidDecisionError(f"解密后应为内部或公开，不能为{to_level.label}")
        return self._request(actor_id, document_id, DECLASSIFY, Classification(to_level),
                             reason, expected_version)

    def _request(self, actor_id: int, document_id: int, kind: str, c: Classification,
                 reason: str, expected_version: int | None) -> Document:
        action = Action.REQUEST_CHANGE
        with self.store.transaction() as tx:
            actor, doc = self._begin(tx, action, actor_id, document_id, expected_version)
            if not self.may_read(actor, doc):
                raise PermissionDeniedError(f"文件记录 #{doc.id} 不在您的知悉范围内")
            current = Level.from_label(doc.level) if doc.level else None
            if kind == DECLASSIFY and not (current and current.is_secret):
                raise InvalidDecisionError(f"《{doc.filename}》不是国家秘密，无需解密")
            if kind == CHANGE and (c.level.label, c.clause, c.period_years, c.condition) == (
                    doc.level, doc.clause, doc.period_years, doc.condition):
                raise InvalidDecisionError("变更后的密级、依据和期限与现行定密相同")
            tx.add_proposal(document_id=doc.id, drafter_id=actor.id, suggestion_id=None,
                            scope=doc.scope or "", note=reason, kind=kind,
                            from_status=doc.status, **c.as_fields())
            return self._finish(tx, action, actor, doc, fields={}, reason=reason,
                                detail={"kind": kind, "requested": c.as_fields()})

    def declassify_on_event(self, tx: StoreTx, actor_id: int, document_id: int, *,
                            reason: str, evidence: list[int]) -> Document:
        """The office accepts a release proposal (issue 13, release on an event): the
        declassification request is filed and checked at once, for the leading group's
        approval (:meth:`approve_change`; it may refuse: :meth:`reject_change`).

        The tracker's proposal, with the public documents that fulfil the condition, stands
        in for the drafter's 提出意见 (五(五)3); the director's acceptance is the office's
        审定. Two events in the caller's transaction ``tx``: ``request_change`` (kind
        ``declassify``, ``on_event``) and ``check_change``. The matter becomes what its
        settled decision said it becomes when declassified (default 内部, 五(五)2).

        Raises
        ------
        PermissionDeniedError
            Not a director (the office).
        IllegalTransitionError
            The document is not settled and in force, or a request is already pending.
        """
        reason = non_empty(reason, "解密理由")
        actor, doc = tx.user(actor_id), tx.document(document_id)
        if Role(actor.role) not in TRANSITIONS[Action.CHECK_CHANGE].roles:
            raise PermissionDeniedError(
                f"{Role(actor.role).label}无权审定解密提请（由办公室主任审定后报领导小组审批）")
        if Status(doc.status) not in TRANSITIONS[Action.REQUEST_CHANGE].sources:
            raise IllegalTransitionError(
                f"《{doc.filename}》当前状态为“{Status(doc.status).label}”，不能提请解密")
        to = Level.from_label(doc.declassify_to) if doc.declassify_to else Level.NEIBU
        c = Classification(to if not to.is_secret else Level.NEIBU)
        req = tx.add_proposal(document_id=doc.id, drafter_id=actor.id, suggestion_id=None,
                              scope=doc.scope or "", note=reason, kind=DECLASSIFY,
                              from_status=doc.status, **c.as_fields())
        doc = self._finish(tx, Action.REQUEST_CHANGE, actor, doc, fields={}, reason=reason,
                           detail={"kind": DECLASSIFY, "requested": c.as_fields(),
                                   "on_event": True, "evidence": list(evidence)})
        self._decision(tx, Action.CHECK_CHANGE, actor, doc, _fields(req), reason)
        return self._finish(tx, Action.CHECK_CHANGE, actor, doc, fields={}, reason=reason,
                            detail={"kind": DECLASSIFY, "on_event": True})

    # --- the office checks, the leading group approves ---

    def check_change(
        self, actor_id: int, document_id: int, *, opinion: str,
        expected_version: int | None = None,
    ) -> Document:
        """The office director checks a request and sends it to the leading group (审定)."""
        opinion = non_empty(opinion, "审定意见")
        with self.store.transaction() as tx:
            actor, doc = self._begin(tx, Action.CHECK_CHANGE, actor_id, document_id,
                                     expected_version)
            req = _pending(tx, doc)
            self._decision(tx, Action.CHECK_CHANGE, actor, doc, _fields(req), opinion)
            return self._finish(tx, Action.CHECK_CHANGE, actor, doc, fields={},
                                reason=opinion, detail={"kind": req.kind})

    def reject_change(
        self, actor_id: int, document_id: int, *, reason: str,
        expected_version: int | None = None,
    ) -> Document:
        """The director (before the check) or the leading group refuses a request; the
        document returns to the status the request started from."""
        reason = non_empty(reason, "不同意的理由")
        with self.store.transaction() as tx:
            actor, doc = self._begin(tx, Action.REJECT_CHANGE, actor_id, document_id,
                                     expected_version)
            req = _pending(tx, doc)
            back = Status(req.from_status or Status.CONFIRMED.value)
            self._decision(tx, Action.REJECT_CHANGE, actor, doc, _fields(req), reason)
            return self._finish(tx, Action.REJECT_CHANGE, actor, doc, fields={}, reason=reason,
                                detail={"kind": req.kind}, target=back)

    def approve_change(
        self, actor_id: int, document_id: int, *, reason: str,
        expected_version: int | None = None,
    ) -> Document:
        """The leading group approves the pending request (审批).

        A change becomes the classification in force (``changed``; the period still runs
        from the date of issue; above the office's 定密权限 it goes to the superior,
        ``referred``). A declassification makes the matter 内部 or 公开 as requested
        (``declassified``, dated today). Either is a new decision linked to the one it
        replaces.

        Raises
        ------
        PeriodTooLongError, InvalidPeriodError
            The requested period breaks the law.
        """
        reason = non_empty(reason, "审批意见")
        with self.store.transaction() as tx:
            actor, doc = self._begin(tx, Action.APPROVE_CHANGE, actor_id, document_id,
                                     expected_version)
            req = _pending(tx, doc)
            old = _in_force(self.store.decisions(doc.id))
            link: dict[str, Any] = {"supersedes_id": old.id if old else None}
            if req.kind == DECLASSIFY:
                return self._declassify(tx, Action.DECLASSIFY, actor, doc, Level.from_label(
                    req.level), local_today(self.now()), reason, link)
            c = Classification(Level.from_label(req.level), req.clause, req.period_years,
                               req.condition)
            route = self._route(Action.APPROVE_CHANGE, c, drafter_level=None,
                                reason_code=None, check_clause=False)
            if route.action is Action.REFER:
                return self._refer(tx, actor, doc, c, route, reason,
                                   requested=Action.APPROVE_CHANGE)
            fields = {**c.as_fields(), **self._settled_fields(
                tx, doc, c, issued_on=None, declassify_to=None, keep_issue_date=True)}
            self._decision(tx, Action.APPROVE_CHANGE, actor, doc, c.as_fields(), reason,
                           issued_on=fields["issued_on"],
                           register_number=fields.get("register_number") or doc.register_number,
                           declassify_to=fields["declassify_to"],
                           supersedes_id=link["supersedes_id"])
            return self._finish(tx, Action.APPROVE_CHANGE, actor, doc, fields=fields,
                                reason=reason, detail={**fields, "supersedes": link[
                                    "supersedes_id"]})

    def _declassify(self, tx: StoreTx, action: Action, actor: User, doc: Document,
                    to_level: Level, on: date, reason: str, link: dict[str, Any]) -> Document:
        """Write a declassification: the matter becomes ``to_level`` from ``on``."""
        fields: dict[str, Any] = {**Classification(to_level).as_fields(), "declassified_on": on,
                                  "declassify_to": to_level.label}
        self._decision(tx, action, actor, doc, Classification(to_level).as_fields(), reason,
                       declassify_to=to_level.label, register_number=doc.register_number,
                       supersedes_id=link["supersedes_id"])
        return self._finish(tx, action, actor, doc, fields=fields, reason=reason,
                            detail={**fields, "previous_mark": doc.mark,
                                    "supersedes": link["supersedes_id"]})

    # --- the end of a period (自行解密) ---

    def expire_due(self, actor_id: int, *, today: date | None = None) -> ExpiryRun:
        """Declassify every settled secret whose period ended before ``today`` (once).

        The matter is secret through the period's last day
        (:func:`~classifier.documents.rules.period_end`) and declassified from the next,
        becoming 内部 or 公开 as recorded with its decision (五(五)2). One transaction and one
        ``expire`` event per document. The app's register page and ``dingmi records expire``
        both run this.

        Parameters
        ----------
        actor_id : int
            Who runs the job (the 机要 clerk, the director or the leading group).
        today : datetime.date, optional
            The local day (default: today).

        Returns
        -------
        ExpiryRun

        Raises
        ------
        PermissionDeniedError
            Any other role.
        """
        day = today or local_today(self.now())
        actor = self.store.user(actor_id)
        if Role(actor.role) not in TRANSITIONS[Action.EXPIRE].roles:
            raise PermissionDeniedError(f"{Role(actor.role).label}无权执行期满解密")
        done: list[Document] = []
        skipped: list[int] = []
        for s in self.store.summaries(statuses=[st.value for st in Status if st.is_live],
                                      order="uploaded"):
            if s.period_ends_on is None or s.period_ends_on >= day:
                continue
            try:
                done.append(self._expire_one(actor_id, s.id, s.version))
            except (StaleVersionError, IllegalTransitionError):
                skipped.append(s.id)
        return ExpiryRun(tuple(done), tuple(skipped))

    def _expire_one(self, actor_id: int, document_id: int, version: int) -> Document:
        with self.store.transaction() as tx:
            actor, doc = self._begin(tx, Action.EXPIRE, actor_id, document_id, version)
            assert doc.period_ends_on is not None
            old = _in_force(self.store.decisions(doc.id))
            to = Level.from_label(doc.declassify_to) if doc.declassify_to else Level.NEIBU
            reason = (f"保密期限已于{doc.period_ends_on.isoformat()}届满，自行解密，"
                      f"作为{to.label}事项管理" if to is Level.NEIBU else
                      f"保密期限已于{doc.period_ends_on.isoformat()}届满，自行解密")
            return self._declassify(tx, Action.EXPIRE, actor, doc, to,
                                    doc.period_ends_on + timedelta(days=1), reason,
                                    {"supersedes_id": old.id if old else None})


def _pending(tx: StoreTx, doc: Document) -> Proposal:
    """The request a change or declassification is about (the latest proposal)."""
    req = tx.latest_proposal(doc.id)
    if req is None or req.kind not in (CHANGE, DECLASSIFY):
        raise IllegalTransitionError(f"《{doc.filename}》没有待办的变更或解密申请")
    return req


def _fields(req: Proposal) -> dict[str, Any]:
    """The requested classification, as a decision row's columns."""
    return {"level": req.level, "clause": req.clause, "period_years": req.period_years,
            "condition": req.condition, "mark": req.mark}


def _in_force(decisions: list[Decision]) -> Decision | None:
    """The decision whose classification is in force (the latest that put one in force)."""
    return next((d for d in reversed(decisions) if d.kind in IN_FORCE_KINDS), None)


def previous_classification(decisions: list[Decision]) -> Decision | None:
    """The decision in force before the latest change or declassification, if any."""
    last = _in_force(decisions)
    if last is None or last.supersedes_id is None:
        return None
    return next((d for d in decisions if d.id == last.supersedes_id), None)
