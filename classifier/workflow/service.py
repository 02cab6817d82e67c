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
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from classifier.errors import (
    AlreadyRegisteredError,
    EmptyReasonError,
    IllegalTransitionError,
    InvalidDecisionError,
    PermissionDeniedError,
    SelfReviewError,
    StaleVersionError,
    UsageError,
)
from classifier.store import (
    ChainReport,
    Document,
    Event,
    StoredSuggestion,
    StoreTx,
    User,
)
from classifier.workflow.accounts import Accounts
from classifier.workflow.audit import text_sha256, verify_record
from classifier.workflow.classification import Classification, PassageRange, normalize_passages
from classifier.workflow.reads import WorkflowReads
from classifier.workflow.register import Record
from classifier.workflow.states import (
    ACTION_LABELS,
    REVIEW_ACTIONS,
    TRANSITIONS,
    UPLOAD_ROLES,
    Action,
    Role,
    Status,
)

if TYPE_CHECKING:
    from classifier.suggest import FileResult

#: Extraction errors after which the document is still registered, to be judged by hand.
KEEP_ON_ERROR = frozenset({"needs_ocr"})


@dataclass(frozen=True)
class UploadResult:
    """What :meth:`Workflow.upload` did: the document, its suggestion, and whether it is new."""

    document: Document
    suggestion: StoredSuggestion | None
    created: bool


def _non_empty(text: str | None, what: str) -> str:
    value = (text or "").strip()
    if not value:
        raise EmptyReasonError(f"{what}不能为空")
    return value


class Workflow(Accounts, WorkflowReads):
    """The service layer over a :class:`~classifier.store.Store`: the reads of
    :class:`~classifier.workflow.reads.WorkflowReads`, the accounts and sessions of
    :class:`~classifier.workflow.accounts.Accounts`, and every action.

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
                )
                if doc is not None:
                    suggestion = tx.add_suggestion(doc.id, payload)
                    tx.add_event("upload", document_id=doc.id, actor=actor,
                                 to_status=Status.UPLOADED.value,
                                 detail={"filename": filename, "sha256": sha,
                                         "text_sha256": text_sha256(result.text),
                                         "model_version": result.model_version})
                    return UploadResult(doc, suggestion, created=True)
            # another session stored the same bytes meanwhile: fall through and open it
        with self.store.transaction() as tx:
            actor = tx.user(actor_id)
            found = tx.document_by_sha256(sha)
            assert found is not None  # unique sha256, never deleted
            tx.add_event("reopen", document_id=found.id, actor=actor,
                         detail={"filename": filename})
        return UploadResult(found, self.store.latest_suggestion(found.id), created=False)

    def propose(
        self,
        actor_id: int,
        document_id: int,
        classification: Classification,
        *,
        scope: str = "",
        note: str = "",
        expected_version: int | None = None,
    ) -> Document:
        """The drafter's proposal (拟定): from now on the document is handled at that level.

        Raises
        ------
        InvalidDecisionError
            Bad classification, or a secret level without 知悉范围 (``scope``).
        """
        c = classification.normalized(self.catalogue)
        scope = (scope or "").strip()
        if c.level.is_secret and not scope:
            raise InvalidDecisionError("定为国家秘密的文件必须写明知悉范围")
        with self.store.transaction() as tx:
            actor, doc = self._begin(tx, Action.PROPOSE, actor_id, document_id, expected_version)
            suggestion = tx.latest_suggestion(document_id)
            tx.add_proposal(
                document_id=doc.id, drafter_id=actor.id,
                suggestion_id=suggestion.id if suggestion else None,
                scope=scope, note=(note or "").strip(), **c.as_fields(),
            )
            return self._finish(tx, Action.PROPOSE, actor, doc, fields={**c.as_fields(),
                                "scope": scope}, reason=(note or "").strip(),
                                detail={**c.as_fields(), "scope": scope})

    def confirm(
        self, actor_id: int, document_id: int, *, reason: str = "",
        expected_version: int | None = None,
        passages: Iterable[PassageRange] | None = None,
    ) -> Document:
        """The director confirms the proposal as it stands.

        Parameters
        ----------
        passages : iterable of (start, end), optional
            The passages the director ticked as deciding the level (see
            :func:`normalize_passages`); stored with the decision.

        Raises
        ------
        InvalidPassageError
            A passage is not a range of the document's text.
        """
        return self._settle(Action.CONFIRM, actor_id, document_id, None,
                            (reason or "").strip(), expected_version, passages)

    def override(
        self, actor_id: int, document_id: int, classification: Classification, *, reason: str,
        expected_version: int | None = None,
        passages: Iterable[PassageRange] | None = None,
    ) -> Document:
        """The director changes the level, clause or period; the reason is mandatory.

        ``passages``: the ticked passages that decide the level, as in :meth:`confirm`.
        """
        reason = _non_empty(reason, "变更理由")
        return self._settle(Action.OVERRIDE, actor_id, document_id,
                            classification.normalized(self.catalogue), reason, expected_version,
                            passages)

    def escalate(
        self, actor_id: int, document_id: int, *, question: str,
        expected_version: int | None = None,
    ) -> Document:
        """The director sends the matter to the leading group with a question."""
        question = _non_empty(question, "提请领导小组研究的问题")
        with self.store.transaction() as tx:
            actor, doc = self._begin(tx, Action.ESCALATE, actor_id, document_id, expected_version)
            self._decision(tx, Action.ESCALATE, actor, doc, {}, question)
            return self._finish(tx, Action.ESCALATE, actor, doc, fields={}, reason=question,
                                detail={})

    def decide(
        self, actor_id: int, document_id: int, classification: Classification, *, reason: str,
        expected_version: int | None = None,
        passages: Iterable[PassageRange] | None = None,
    ) -> Document:
        """The leading group settles an escalated matter; the reason is mandatory.

        ``passages``: the ticked passages that decide the level, as in :meth:`confirm`.
        """
        reason = _non_empty(reason, "决定理由")
        return self._settle(Action.DECIDE, actor_id, document_id,
                            classification.normalized(self.catalogue), reason, expected_version,
                            passages)

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
    ) -> Document:
        """A final decision: ``c`` replaces the classification (None: confirm it as it is)."""
        ticked = normalize_passages(passages)
        with self.store.transaction() as tx:
            actor, doc = self._begin(tx, action, actor_id, document_id, expected_version)
            ticked = normalize_passages(ticked, len(doc.text))
            fields = (c.as_fields() if c is not None else
                      {k: getattr(doc, k) for k in ("level", "clause", "period_years",
                                                     "condition", "mark")})
            self._decision(tx, action, actor, doc, fields, reason, ticked)
            return self._finish(tx, action, actor, doc, fields=fields if c is not None else {},
                                reason=reason, detail=_with_passages(fields, ticked))

    def _begin(
        self, tx: StoreTx, action: Action, actor_id: int, document_id: int,
        expected_version: int | None,
    ) -> tuple[User, Document]:
        """Load and check actor, role, version, transition and self-review."""
        t = TRANSITIONS[action]
        actor = tx.user(actor_id)
        if Role(actor.role) not in t.roles:
            allowed = "、".join(r.label for r in Role if r in t.roles)
            raise PermissionDeniedError(
                f"{Role(actor.role).label}{actor.name}无权执行“{ACTION_LABELS[action]}”（仅限{allowed}）"
            )
        doc = tx.document(document_id)
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
        reason: str, passages: list[dict[str, int]] | None = None,
    ) -> None:
        tx.add_decision(document_id=doc.id, kind=action.value, actor_id=actor.id,
                        actor_role=actor.role, reason=reason, passages=passages, **fields)

    def _finish(
        self, tx: StoreTx, action: Action, actor: User, doc: Document, *,
        fields: dict[str, Any], reason: str, detail: dict[str, Any],
    ) -> Document:
        target = TRANSITIONS[action].target
        new = tx.update_document(doc.id, doc.version, status=target.value, **fields)
        tx.add_event(action.value, document_id=doc.id, actor=actor, from_status=doc.status,
                     to_status=target.value, reason=reason,
                     detail={**detail, "version": new.version})
        return new


def _with_passages(detail: dict[str, Any], passages: list[dict[str, int]] | None,
                   ) -> dict[str, Any]:
    """The audit event's detail, with the ticked passages when there are any labels."""
    return detail if passages is None else {**detail, "passages": passages}
