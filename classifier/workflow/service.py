"""The service layer: :class:`Workflow`, one transaction per action, permissions checked first.

Every action checks, in this order, the input (a reason or question must not be empty; the
level, clause and period must make sense), the actor (an active user), the role, the version
the actor saw (optimistic locking: the loser of two simultaneous reviews gets
``stale_version``), the transition (:data:`classifier.workflow.states.TRANSITIONS`), and that
a reviewer is not reviewing their own proposal. Then it writes the document's new state, the
proposal or decision, and an audit event, all in one transaction: nothing is half-done if the
process dies.

A final decision (confirm, override, the leading group's decide) may carry the passages the
decider ticked as deciding the level (``passages``: ``(start, end)`` offsets into the
document's text); they are stored with the decision and train the passage model
(:func:`classifier.training.decisions.final_decision_records`). A range that is not inside
the text is refused with ``invalid_passage``.

The app pages and ``dingmi review`` call these methods and nothing else: the reads too go
through the workflow, which hands out the store's read models.

Source: ../shared/docs/workflow.md (the regulation, section 五); issue 3 (§3, §4).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from classifier.catalogue import Level
from classifier.errors import (
    AlreadyRegisteredError,
    InvalidDecisionError,
    JudgementRequiredError,
    PermissionDeniedError,
    ReasonRequiredError,
    UsageError,
)
from classifier.store import (
    ChainReport,
    Document,
    Event,
    StoredSuggestion,
    User,
)
from classifier.workflow.accounts import Accounts
from classifier.workflow.audit import text_sha256, verify_record
from classifier.workflow.blind import SuggestionView, draw_blind
from classifier.workflow.classification import Classification, PassageRange, normalize_passages
from classifier.workflow.core import Route
from classifier.workflow.judging import BlindJudging
from classifier.workflow.lifecycle import Lifecycle, non_empty
from classifier.workflow.outputs import Outputs
from classifier.workflow.reasons import ReasonCode, check_reason_codes
from classifier.workflow.register import Record
from classifier.workflow.states import (
    UPLOAD_ROLES,
    Action,
    Role,
    Status,
)

if TYPE_CHECKING:
    from classifier.suggest import FileResult

#: Extraction errors after which the document is still registered, to be judged by hand.
KEEP_ON_ERROR = frozenset({"needs_ocr"})
#: Reason codes given with a proposal or a decision (issue 14 §1): any iterable of
#: :class:`~classifier.workflow.reasons.ReasonCode` values, checked and deduplicated in order.
ReasonCodes = Iterable[str | ReasonCode] | None


@dataclass(frozen=True)
class UploadResult:
    """What :meth:`Workflow.upload` did: the document, its suggestion, and whether it is new.

    ``suggestion`` is None while blind mode withholds it from the uploader; ``view`` then
    says why (and still carries the OCR summary of the text).
    """

    document: Document
    suggestion: StoredSuggestion | None
    created: bool
    view: SuggestionView | None = None


class Workflow(Lifecycle, Outputs, Accounts, BlindJudging):
    """The service layer over a :class:`~classifier.store.Store`: the reads of
    :class:`~classifier.workflow.reads.WorkflowReads`, the accounts and sessions of
    :class:`~classifier.workflow.accounts.Accounts`, the change, declassification and expiry
    of :class:`~classifier.workflow.lifecycle.Lifecycle`, the marked copies, forms and lists
    of :class:`~classifier.workflow.outputs.Outputs`, and every review action.

    Every settling decision (confirm, override, decide, the superior's answer) passes the
    guards of :class:`~classifier.workflow.core.ActionCore`: it may be refused (a period the
    law does not allow) or routed (to the leading group, or to a superior); the returned
    document's status says which.

    Parameters
    ----------
    store : Store
    catalogue : Catalogue, optional
        When given, clause ids are checked against it.
    """

    # --- users ---

    def add_user(self, name: str, role: str | Role, *, password: str | None = None,
                 must_change_password: bool = True) -> User:
        """Create a user with a role, as the server's own setup (demo users, tests).

        No edge calls this: ``dingmi users add`` and the accounts page go through
        :meth:`create_account` (the system administrator) and :meth:`assign_role` (the
        security administrator). Without ``password`` the account cannot log in.

        Raises
        ------
        UsageError
            Empty name or unknown role.
        UserExistsError
            The name is taken.
        WeakPasswordError
            The password breaks the policy.
        """
        name = (name or "").strip()
        if not name:
            raise UsageError("用户名不能为空")
        try:
            role = Role(role)
        except ValueError:
            raise UsageError(f"角色 {role!r} 无效，应为 {', '.join(r.value for r in Role)}") from None
        password_hash = self.hash_password(name, password) if password is not None else None
        with self.store.transaction() as tx:
            user = tx.add_user(name, role.value, password_hash=password_hash,
                               must_change_password=must_change_password and bool(password))
            tx.add_event("user_add", detail={"user_id": user.id, "name": name,
                                             "role": role.value})
            return user

    # --- documents ---

    def upload(
        self,
        actor_id: int,
        data: bytes,
        filename: str,
        suggest: Callable[[bytes, str], FileResult],
    ) -> UploadResult:
        """Register an uploaded file, or open the existing record of the same bytes.

        Parameters
        ----------
        actor_id : int
            The uploading user (drafter or director).
        data : bytes
            The file's content.
        filename : str
            The name it was uploaded under (shown, never trusted for the format).
        suggest : callable
            ``Suggester.suggest_upload``: reads and classifies the bytes
            (:class:`classifier.suggest.FileResult`). Not called for a file already stored.

        Raises
        ------
        ExtractionError
            The file cannot be read (its code, e.g. ``corrupt_file``); nothing is stored.
            A ``needs_ocr`` file is stored with its error, to be classified by hand.
        PermissionDeniedError
            The user may not upload.
        """
        sha = hashlib.sha256(data).hexdigest()
        actor = self.store.user(actor_id)
        if actor.role not in UPLOAD_ROLES:
            raise PermissionDeniedError(f"{Role(actor.role).label}不能上传文件")
        existing = self.store.document_by_sha256(sha)
        if existing is not None and not self.may_read(actor, existing):
            owner = self.store.account_by_id(existing.uploaded_by)
            with self.store.transaction() as tx:
                tx.add_event("reopen", document_id=existing.id, actor=tx.user(actor_id),
                             reason="无权查阅", detail={"filename": filename, "refused": True})
            raise AlreadyRegisteredError(
                f"此文件已由{owner.name}登记（记录 #{existing.id}）。如需查阅，请联系{owner.name}"
                "或办公室主任，按知悉范围办理")
        if existing is None:
            result = suggest(data, filename)
            if result.error is not None and result.error.code not in KEEP_ON_ERROR:
                raise result.error
            payload = result.to_json()
            with self.store.transaction() as tx:
                actor = tx.user(actor_id)
                doc = tx.add_document(
                    sha256=sha,
                    filename=filename[:255],
                    size_bytes=len(data),
                    format=result.format,
                    text=result.text,
                    original=data if self.store.store_originals else None,
                    uploaded_by=actor.id,
                    status=Status.UPLOADED.value,
                    blind=draw_blind(self.decision_policy.blind_share),
                )
                if doc is not None:
                    tx.add_suggestion(doc.id, payload)
                    tx.add_event("upload", document_id=doc.id, actor=actor,
                                 to_status=Status.UPLOADED.value,
                                 detail={"filename": filename, "sha256": sha,
                                         "text_sha256": text_sha256(result.text),
                                         "model_version": result.model_version,
                                         "blind": doc.blind})
            if doc is not None:
                return self._upload_result(actor, doc, created=True)
            # another session stored the same bytes meanwhile: fall through and open it
        with self.store.transaction() as tx:
            actor = tx.user(actor_id)
            found = tx.document_by_sha256(sha)
            assert found is not None  # unique sha256, never deleted
            tx.add_event("reopen", document_id=found.id, actor=actor,
                         detail={"filename": filename})
        return self._upload_result(actor, found, created=False)

    def _upload_result(self, actor: User, doc: Document, *, created: bool) -> UploadResult:
        """The upload's result as the uploader may see it (a reopen keeps the first draw)."""
        why = self.suggestion_withheld(actor, doc)
        stored = self.store.latest_suggestion(doc.id)
        view = SuggestionView(None if why else stored, why, blind=doc.blind,
                              ocr=stored.ocr if stored else None)
        return UploadResult(doc, view.suggestion, created=created, view=view)

    def propose(
        self,
        actor_id: int,
        document_id: int,
        classification: Classification,
        *,
        scope: str = "",
        note: str = "",
        expected_version: int | None = None,
        reason_codes: ReasonCodes = None,
        suggestion_shown: bool = False,
    ) -> Document:
        """The drafter's proposal (拟定): from now on the document is handled at that level.

        Parameters
        ----------
        reason_codes : iterable of str or ReasonCode, optional
            Why the proposal departs from the stored suggestion (issue 14 §1); ``note`` is
            the free text. Stored on the proposal and in the audit event.
        suggestion_shown : bool
            The drafter was shown the stored suggestion before proposing (the draft page
            says so; default False: a script, an import, a blind draft). Only then does a
            departure from it need a reason code: whoever did not see it cannot say why they
            depart from it (issue 14 §1 and §3).

        Raises
        ------
        InvalidDecisionError
            Bad classification, or a secret level without 知悉范围 (``scope``).
        InvalidReasonCodeError
            An unknown reason code (``invalid_reason_code``).
        ReasonRequiredError
            ``suggestion_shown``, the level or a secret's clause differs from the stored
            suggestion, and no reason code is given (``reason_required``). A blind draft
            (issue 14 §3) and a suggestion without a level need none.
        """
        c = classification.normalized(self.catalogue)
        codes = [code.value for code in check_reason_codes(reason_codes)]
        scope = (scope or "").strip()
        if c.level.is_secret and not scope:
            raise InvalidDecisionError("定为国家秘密的文件必须写明知悉范围")
        with self.store.transaction() as tx:
            actor, doc = self._begin(tx, Action.PROPOSE, actor_id, document_id, expected_version)
            suggestion = tx.latest_suggestion(document_id)
            if (suggestion_shown and not codes and not doc.blind and suggestion is not None
                    and departs_from(c, suggestion.level, suggestion.clause)):
                raise ReasonRequiredError(
                    f"拟定意见（{c.level.label}{' ' + c.clause if c.clause else ''}）与系统建议"
                    f"（{suggestion.level}{' ' + suggestion.clause if suggestion.clause else ''}）"
                    "不一致，请至少选择一项理由")
            tx.add_proposal(
                document_id=doc.id, drafter_id=actor.id,
                suggestion_id=suggestion.id if suggestion else None,
                scope=scope, note=(note or "").strip(), reason_codes=codes or None,
                **c.as_fields(),
            )
            return self._finish(tx, Action.PROPOSE, actor, doc, fields={**c.as_fields(),
                                "scope": scope}, reason=(note or "").strip(),
                                detail=_with_codes({**c.as_fields(), "scope": scope}, codes))

    def confirm(
        self, actor_id: int, document_id: int, *, reason: str = "",
        expected_version: int | None = None,
        passages: Iterable[PassageRange] | None = None,
        issued_on: date | None = None, reason_code: str | ReasonCode | None = None,
        declassify_to: Level | None = None, reason_codes: ReasonCodes = None,
    ) -> Document:
        """The director confirms the proposal as it stands.

        Parameters
        ----------
        passages : iterable of (start, end), optional
            The passages the director ticked as deciding the level (see
            :func:`normalize_passages`); stored with the decision.
        issued_on : datetime.date, optional
            The date of issue (制发日) the secrecy period runs from; default today.
        reason_code : str or ReasonCode, optional
            Why a level below the clause's catalogue level is right
            (:class:`~classifier.workflow.reasons.ReasonCode`); without one such a decision
            goes to the leading group. The older single-code keyword: it goes first in
            ``reason_codes``.
        reason_codes : iterable of str or ReasonCode, optional
            Every reason code (issue 14 §1), checked, deduplicated in order: stored on the
            decision (``reason_codes``, the first also as ``reason_code``) and in its audit
            event; they weigh the decision in retraining
            (:func:`classifier.train.reason_weight`).
        declassify_to : Level, optional
            内部 (default) or 公开: what a secret becomes when it is declassified.

        Returns
        -------
        Document
            ``confirmed``; or ``escalated`` when the guards send it to the leading group
            (clause 4.12, a level above the clause's, below it without a reason code), or
            ``referred`` when the level is above the office's 定密权限.

        Raises
        ------
        InvalidPassageError
            A passage is not a range of the document's text.
        PeriodTooLongError, PeriodRequiredError, InvalidPeriodError
            The period breaks the law (nothing is written).
        """
        return self._settle(Action.CONFIRM, actor_id, document_id, None,
                            (reason or "").strip(), expected_version, passages,
                            issued_on=issued_on, reason_code=reason_code,
                            declassify_to=declassify_to, reason_codes=reason_codes)

    def override(
        self, actor_id: int, document_id: int, classification: Classification, *, reason: str,
        expected_version: int | None = None,
        passages: Iterable[PassageRange] | None = None,
        issued_on: date | None = None, reason_code: str | ReasonCode | None = None,
        declassify_to: Level | None = None, scope: str | None = None,
        reason_codes: ReasonCodes = None,
    ) -> Document:
        """The director changes the level, clause or period; the reason is mandatory, and so is
        at least one reason code (``reason_codes`` or ``reason_code``; ``reason_required``
        otherwise: issue 14 §1).

        ``scope`` (知悉范围), when given, replaces the drafter's once the override settles the
        document; a secret needs a non-empty one (``invalid_decision``), as in :meth:`propose`.

        A level other than the drafter's is a disagreement, settled by the leading group: the
        document is then ``escalated`` with the director's classification on the decision.
        The other parameters, the routing and the errors are those of :meth:`confirm`; a
        secret must state its period or condition (``period_required``).
        """
        reason = non_empty(reason, "变更理由")
        _require_codes(reason_codes, reason_code, "变更")
        c = classification.normalized(self.catalogue, require_period=True)
        if scope is not None:
            scope = scope.strip()
            if c.level.is_secret and not scope:
                raise InvalidDecisionError("定为国家秘密的，须填写知悉范围")
        return self._settle(Action.OVERRIDE, actor_id, document_id, c,
                            reason, expected_version, passages, issued_on=issued_on,
                            reason_code=reason_code, declassify_to=declassify_to, scope=scope,
                            reason_codes=reason_codes)

    def escalate(
        self, actor_id: int, document_id: int, *, question: str,
        expected_version: int | None = None,
    ) -> Document:
        """The director sends the matter to the leading group with a question."""
        question = non_empty(question, "提请领导小组研究的问题")
        with self.store.transaction() as tx:
            actor, doc = self._begin(tx, Action.ESCALATE, actor_id, document_id, expected_version)
            self._decision(tx, Action.ESCALATE, actor, doc, {}, question)
            return self._finish(tx, Action.ESCALATE, actor, doc, fields={}, reason=question,
                                detail={})

    def decide(
        self, actor_id: int, document_id: int, classification: Classification, *, reason: str,
        expected_version: int | None = None,
        passages: Iterable[PassageRange] | None = None,
        issued_on: date | None = None, reason_code: str | ReasonCode | None = None,
        declassify_to: Level | None = None, reason_codes: ReasonCodes = None,
    ) -> Document:
        """The leading group settles an escalated matter; the reason is mandatory, and so is at
        least one reason code (``reason_required`` otherwise: issue 14 §1).

        A level above the office's 定密权限 goes to the superior (``referred``). Parameters
        and errors as in :meth:`confirm`.
        """
        reason = non_empty(reason, "决定理由")
        _require_codes(reason_codes, reason_code, "领导小组决定")
        return self._settle(Action.DECIDE, actor_id, document_id,
                            classification.normalized(self.catalogue, require_period=True),
                            reason, expected_version, passages, issued_on=issued_on,
                            reason_code=reason_code, declassify_to=declassify_to,
                            reason_codes=reason_codes)

    def refer(
        self, actor_id: int, document_id: int, *, question: str,
        expected_version: int | None = None,
    ) -> Document:
        """报请上级定密: the director or the leading group reports the matter to a superior
        with the authority; it is handled at the proposed level meanwhile.

        Raises
        ------
        EmptyReasonError
            No question for the superior.
        """
        question = non_empty(question, "报请上级定密的事由")
        with self.store.transaction() as tx:
            actor, doc = self._begin(tx, Action.REFER, actor_id, document_id, expected_version)
            return self._refer(tx, actor, doc, classification_of(doc), Route(Action.REFER),
                               question, requested=Action.REFER)

    def record_superior(
        self, actor_id: int, document_id: int, classification: Classification, *, reason: str,
        expected_version: int | None = None, issued_on: date | None = None,
        declassify_to: Level | None = None,
    ) -> Document:
        """Record the superior's decision on a referred matter (``referred → decided``).

        ``reason``: the superior's reply (its document number, date). The office's 定密权限
        does not apply (the superior has it); the period rules do.
        """
        reason = non_empty(reason, "上级机关的定密决定（文号、日期）")
        return self._settle(Action.RECORD_SUPERIOR, actor_id, document_id,
                            classification.normalized(self.catalogue, require_period=True),
                            reason, expected_version, None, issued_on=issued_on,
                            declassify_to=declassify_to)

    # --- the audit record (the auditor) ---

    def _auditor(self, actor_id: int) -> User:
        actor = self.store.user(actor_id)
        if Role(actor.role) is not Role.AUDITOR:
            raise PermissionDeniedError(f"{Role(actor.role).label}无权查阅审计记录（仅限安全审计员）")
        return actor

    def audit_verify(self, actor_id: int, expected_head: str | None = None) -> ChainReport:
        """Walk the audit chain and the documents (:func:`~classifier.workflow.audit.verify_record`)."""
        self._auditor(actor_id)
        return verify_record(self.store, expected_head)

    def audit_events(self, actor_id: int) -> list[Event]:
        """The whole audit record, oldest first (the auditor only)."""
        self._auditor(actor_id)
        return self.store.chain()

    def export_records(self, actor_id: int, **filters: Any) -> list[Record]:
        """The register for an export (``records(...)`` with an audit event ``export``)."""
        rows = self.records(actor_id, **filters)
        with self.store.transaction() as tx:
            tx.add_event("export", actor=tx.user(actor_id),
                         detail={"rows": len(rows),
                                 "filters": {k: (list(v) if isinstance(v, list | tuple) else
                                                 str(v) if v is not None else None)
                                             for k, v in filters.items()}})
        return rows

    # --- internals ---

    def _settle(
        self, action: Action, actor_id: int, document_id: int, c: Classification | None,
        reason: str, expected_version: int | None, passages: Iterable[PassageRange] | None,
        *, issued_on: date | None = None, reason_code: str | ReasonCode | None = None,
        declassify_to: Level | None = None, scope: str | None = None,
        reason_codes: ReasonCodes = None,
    ) -> Document:
        """A settling decision, through the guards (:meth:`ActionCore._route`).

        ``c`` replaces the classification (None: confirm it as it stands). Routed to the
        leading group, the document keeps the proposal and the decision row carries what the
        reviewer would have decided; referred to a superior, it is handled at ``c``'s level.
        """
        ticked = normalize_passages(passages)
        codes = [c.value for c in check_reason_codes(reason_codes, reason_code)]
        code_value = codes[0] if codes else None  # the routing rule reads one code
        with self.store.transaction() as tx:
            actor, doc = self._begin(tx, action, actor_id, document_id, expected_version)
            ticked = normalize_passages(ticked, len(doc.text))
            reviewing = action in (Action.CONFIRM, Action.OVERRIDE)
            if (reviewing and doc.blind and Status(doc.status) is Status.PROPOSED
                    and tx.judgement(doc.id, actor.id) is None):
                # Issue 14 §3: on a blind draft the director's own judgement comes first,
                # from the page or the command line alike.
                raise JudgementRequiredError(
                    f"《{doc.filename}》为盲评抽样，请先记录独立判断（review judge）再审核")
            if c is None:
                c = classification_of(doc)
            proposal = tx.latest_proposal(doc.id)
            route = self._route(
                action, c, reason_code=code_value, check_clause=reviewing,
                drafter_level=Level.from_label(proposal.level) if reviewing and proposal
                else None, check_authority=action is not Action.RECORD_SUPERIOR)
            if route.action is Action.ESCALATE:
                note = f"依规定须报领导小组确定：{route.note}" + (f"。审核意见：{reason}" if reason
                                                            else "")
                # The passages the reviewer ticked go with the question (issue 9 §8).
                self._decision(tx, Action.ESCALATE, actor, doc, c.as_fields(), note, ticked,
                               reason_codes=codes)
                return self._finish(tx, Action.ESCALATE, actor, doc, fields={}, reason=note,
                                    detail=_with_codes(_with_passages(
                                        {"requested": action.value, "route": list(route.reasons),
                                         "intended": c.as_fields()}, ticked), codes))
            if route.action is Action.REFER:
                return self._refer(tx, actor, doc, c, route, reason, requested=action,
                                   reason_codes=codes, passages=ticked)
            fields = {**c.as_fields(), **self._settled_fields(
                tx, doc, c, issued_on=issued_on, declassify_to=declassify_to)}
            if scope is not None:
                fields["scope"] = scope
            number = fields.get("register_number") or doc.register_number
            self._decision(tx, action, actor, doc, c.as_fields(), reason, ticked,
                           issued_on=fields["issued_on"], register_number=number,
                           declassify_to=fields["declassify_to"], reason_codes=codes)
            return self._finish(tx, action, actor, doc, fields=fields, reason=reason,
                                detail=_with_codes(_with_passages(fields, ticked), codes))


def _require_codes(codes: ReasonCodes, code: str | ReasonCode | None, what: str) -> None:
    """Issue 14 §1: every override and leading-group decision carries at least one reason
    code (:class:`~classifier.workflow.reasons.ReasonCode`) besides its free text.

    Raises
    ------
    ReasonRequiredError
        No code given (``reason_required``).
    InvalidReasonCodeError
        An unknown code (``invalid_reason_code``).
    """
    if not check_reason_codes(codes, code):
        raise ReasonRequiredError(f"{what}须至少选择一项理由类别")


def classification_of(doc: Document) -> Classification:
    """The classification in effect on a document (its level must be set)."""
    if doc.level is None:
        raise InvalidDecisionError(f"《{doc.filename}》尚未拟定密级")
    return Classification(Level.from_label(doc.level), doc.clause, doc.period_years,
                          doc.condition)


def _with_passages(detail: dict[str, Any], passages: list[dict[str, int]] | None,
                   ) -> dict[str, Any]:
    """The audit event's detail, with the ticked passages when there are any labels."""
    return detail if passages is None else {**detail, "passages": passages}


def _with_codes(detail: dict[str, Any], codes: Sequence[str]) -> dict[str, Any]:
    """The audit event's detail, with the reason codes when there are any (issue 14 §1)."""
    return {**detail, "reason_codes": list(codes)} if codes else detail


def departs_from(c: Classification, level: str | None, clause: str | None) -> bool:
    """True when ``c`` differs from a suggestion's ``level`` (a label, None: no suggestion)
    or, for a secret, from its ``clause``: a drafter's proposal then needs a reason code."""
    if level is None:
        return False
    if c.level.label != level:
        return True
    return c.level.is_secret and (c.clause or None) != (clause or None)
