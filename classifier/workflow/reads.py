"""The reads of the workflow: the store's read models, the queues, what a user may do now.

Pages and the CLI read through these methods (never through the store), so that the
workflow is the one door to the documents.

Source: issue 3 (§1 the queues); issue 10 (pages and CLI call the workflow only).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Self

from classifier.catalogue import LEVEL_LABELS, Catalogue, Level
from classifier.config import AuthPolicy, DecisionPolicy
from classifier.errors import PermissionDeniedError, UsageError
from classifier.store import (
    Decision,
    Document,
    DocumentSummary,
    Event,
    Judgement,
    Proposal,
    Store,
    StoredSuggestion,
    User,
    utcnow,
)
from classifier.workflow.blind import (
    BLIND_LABEL,
    BLIND_WINDOW,
    SuggestionView,
    mask_summary,
    withheld_reason,
)
from classifier.workflow.register import (
    Record,
    SuggestionChange,
    query_records,
    suggestion_changes,
)
from classifier.workflow.states import (
    READER_ROLES,
    REGISTER_ROLES,
    REVIEW_ACTIONS,
    TRANSITIONS,
    Action,
    Role,
    Status,
)

#: The levels whose text is a state secret: every read of one is an audit event.
SECRET_LABELS = frozenset(lb for lb in LEVEL_LABELS if Level.from_label(lb).is_secret)
#: A reader re-opening the same secret within this time is not recorded again.
READ_EVENT_EVERY = timedelta(minutes=10)


def _scope_names(scope: str) -> set[str]:
    """The parts of a 知悉范围 (split at 、，,；; and spaces)."""
    return {p.strip() for p in re.split(r"[、，,；;\s]+", scope) if p.strip()}

if TYPE_CHECKING:
    from classifier.config import Settings
    from classifier.engine import Classifier


class WorkflowReads:
    """What every page and command may read; :class:`~classifier.workflow.Workflow` adds the actions.

    Parameters
    ----------
    store : Store
    catalogue : Catalogue, optional
        When given, clause ids are checked against it.
    auth : AuthPolicy, optional
    clock : callable, optional
        Returns the current aware datetime (tests move time).
    decision : DecisionPolicy, optional
        定密权限, register-number pattern, 内部 mark text, blind share (default: the
        defaults, with blind mode off).
    """

    def __init__(self, store: Store, catalogue: Catalogue | None = None, *,
                 auth: AuthPolicy | None = None,
                 clock: Callable[[], datetime] | None = None,
                 decision: DecisionPolicy | None = None) -> None:
        self.store = store
        self.catalogue = catalogue
        self.auth = auth if auth is not None else AuthPolicy.from_env()
        self.now: Callable[[], datetime] = clock or utcnow
        # Without a policy (a library caller, a test) blind mode is off; the office's share
        # (default 10 %) comes with Settings.decision through open().
        self.decision_policy = decision if decision is not None else DecisionPolicy(
            blind_share=0.0)

    @classmethod
    def open(cls, settings: Settings, catalogue: Catalogue | None = None) -> Self:
        """Open the database of ``settings`` (created or migrated on first use).

        Raises
        ------
        StoreError
            The database cannot be reached, or its schema is newer than this code.
        """
        return cls(Store.open(settings), catalogue, auth=settings.auth,
                   decision=settings.decision)

    def close(self) -> None:
        """Release the database connections."""
        self.store.close()

    # --- reads (the store's read models) ---

    def users(self, *, include_inactive: bool = False) -> list[User]:
        """All users, by id."""
        return self.store.users(include_inactive=include_inactive)

    def user_by_name(self, name: str) -> User:
        """The active user of this name, or :class:`UnknownUserError`."""
        return self.store.user_by_name(name)

    def may_read(self, reader: User, doc: Document) -> bool:
        """Need to know (知悉范围): may ``reader`` open ``doc``'s text?

        The administrator duties and an account without a role never may. A drafter opens
        only the documents they uploaded or proposed. Once a document is settled, a 知悉范围
        that names accounts (by name) limits it to them and to those who handled it.
        """
        role = Role(reader.role)
        if role not in READER_ROLES:
            return False
        handled = {doc.uploaded_by} | {p.drafter_id for p in self.store.proposals(doc.id)}
        if role is Role.DRAFTER:
            return reader.id in handled
        if Status(doc.status).is_final and doc.scope:
            named = {u.id for u in self.store.users() if u.name in _scope_names(doc.scope)}
            handled |= {d.actor_id for d in self.store.decisions(doc.id)}
            return not named or reader.id in named | handled
        return True

    def _reader(self, reader_id: int) -> User:
        reader = self.store.user(reader_id)
        if Role(reader.role) not in READER_ROLES:
            raise PermissionDeniedError(f"{Role(reader.role).label}不能查阅文件内容")
        return reader

    def _readable(self, reader_id: int, document_id: int) -> tuple[User, Document]:
        """The reader and the document, need to know checked (:meth:`may_read`).

        Raises
        ------
        PermissionDeniedError, NotFoundError
        """
        reader = self._reader(reader_id)
        doc = self.store.document(document_id)
        if not self.may_read(reader, doc):
            raise PermissionDeniedError(f"文件记录 #{doc.id} 不在您的知悉范围内")
        return reader, doc

    def document(self, document_id: int, reader_id: int) -> Document:
        """One document for ``reader_id``, need to know checked; a secret's read is audited.

        Raises
        ------
        PermissionDeniedError
            The reader may not open it (:meth:`may_read`).
        NotFoundError
            No such document.
        """
        reader, doc = self._readable(reader_id, document_id)
        if doc.level in SECRET_LABELS:
            self._audit_read(reader, doc)
        return doc

    def _audit_read(self, reader: User, doc: Document) -> None:
        """One ``read_secret`` event per reader and document per :data:`READ_EVENT_EVERY`."""
        last = next((e for e in reversed(self.store.events(doc.id))
                     if e.action == "read_secret" and e.actor_id == reader.id), None)
        if last is not None and self.now() - last.created_at < READ_EVENT_EVERY:
            return
        with self.store.transaction() as tx:
            tx.add_event("read_secret", document_id=doc.id, actor=reader,
                         detail={"level": doc.level})

    def original(self, document_id: int, reader_id: int) -> bytes | None:
        """The uploaded bytes, when they were kept (need to know as for :meth:`document`)."""
        self.document(document_id, reader_id)
        return self.store.original(document_id)

    def latest_suggestion(self, document_id: int) -> StoredSuggestion | None:
        """The newest stored suggestion for a document, for the system's own use (training,
        replay). What is shown to a person goes through :meth:`suggestion_for` (blind mode)."""
        return self.store.latest_suggestion(document_id)

    # --- blind mode (issue 14 §3) ---

    def judgement(self, document_id: int, actor_id: int) -> Judgement | None:
        """The first judgement ``actor_id`` recorded on a blind draft, if any."""
        return next((j for j in self.store.judgements(document_id) if j.actor_id == actor_id),
                    None)

    def suggestion_withheld(self, reader: User, doc: Document) -> str | None:
        """Why ``doc``'s suggestion is withheld from ``reader`` now, or None (see
        :mod:`classifier.workflow.blind` for the rule)."""
        if not doc.blind:
            return None
        return withheld_reason(
            Role(reader.role), reader.id, blind=doc.blind, status=Status(doc.status),
            uploaded_by=doc.uploaded_by,
            drafter_ids={p.drafter_id for p in self.store.proposals(doc.id)},
            judged=self.judgement(doc.id, reader.id) is not None)

    def suggestion_visible(self, reader: User, doc: Document) -> bool:
        """May ``reader`` see ``doc``'s suggestion now (blind mode, issue 14 §3)?"""
        return self.suggestion_withheld(reader, doc) is None

    def suggestion_for(self, document_id: int, reader_id: int) -> SuggestionView:
        """The suggestion of a document as ``reader_id`` may see it now.

        Returns
        -------
        SuggestionView
            ``suggestion`` is None and ``withheld`` says why while a blind draft's suggestion
            is withheld from this reader (:mod:`classifier.workflow.blind`).

        Raises
        ------
        PermissionDeniedError
            The reader may not open the document (need to know, :meth:`may_read`).
        NotFoundError
            No such document.
        """
        reader, doc = self._readable(reader_id, document_id)
        stored = self.store.latest_suggestion(doc.id)
        ocr = stored.ocr if stored else None
        why = self.suggestion_withheld(reader, doc)
        if why is not None:
            return SuggestionView(None, why, blind=True, ocr=ocr)
        return SuggestionView(stored, None, blind=doc.blind, ocr=ocr)

    def _mask(self, reader: User, rows: list[DocumentSummary]) -> list[DocumentSummary]:
        """The summaries with the suggestions withheld from ``reader`` taken out."""
        if not any(r.blind for r in rows):
            return rows
        judged = {j.document_id for j in self.store.judgements() if j.actor_id == reader.id}
        role = Role(reader.role)
        out = []
        for r in rows:
            why = withheld_reason(role, reader.id, blind=r.blind, status=Status(r.status),
                                  uploaded_by=None,
                                  drafter_ids={r.drafter_id} if r.drafter_id is not None else (),
                                  judged=r.id in judged) if r.blind else None
            out.append(mask_summary(r, why))
        return out

    def proposals(self, document_id: int) -> list[Proposal]:
        """Every proposal for a document, oldest first."""
        return self.store.proposals(document_id)

    def decisions(self, document_id: int) -> list[Decision]:
        """The decisions on a document, oldest first."""
        return self.store.decisions(document_id)

    def events(self, document_id: int) -> list[Event]:
        """The audit log of a document, oldest first."""
        return self.store.events(document_id)

    def documents(
        self, reader_id: int, *, statuses: Sequence[str] | None = None,
        levels: Sequence[str] | None = None,
        search: str | None = None, since: datetime | None = None,
        until: datetime | None = None, uploaded_by: int | None = None,
        order: str = "proposed",
    ) -> list[DocumentSummary]:
        """Documents with their latest suggestion, proposal and decision, as ``reader_id``
        may see them (a drafter: only their own; need to know as in :meth:`may_read`).

        See :meth:`classifier.store.Store.summaries` for the filters and orders.
        """
        reader = self._reader(reader_id)
        if Role(reader.role) is Role.DRAFTER:
            uploaded_by = reader.id
        rows = self.store.summaries(statuses=statuses, levels=levels, search=search,
                                    since=since, until=until, uploaded_by=uploaded_by,
                                    order=order)
        return self._mask(reader, [
            r for r in rows if r.scope is None or not Status(r.status).is_final
            or Role(reader.role) is Role.DRAFTER or self.may_read(reader, self.store.document(r.id))])

    def summary(self, document_id: int) -> DocumentSummary | None:
        """One document's summary (None when there is no such document)."""
        return next((s for s in self.store.summaries() if s.id == document_id), None)

    def records(self, reader_id: int, **filters: Any) -> list[Record]:
        """The register (台账), newest change first; see :func:`~classifier.workflow.register.query_records`.

        Only the 机要 clerk, the directors and the leading group read it (the search looks
        into document text).
        """
        reader = self.store.user(reader_id)
        if Role(reader.role) not in REGISTER_ROLES:
            raise PermissionDeniedError(f"{Role(reader.role).label}无权查阅台账")
        records = query_records(self.store, **filters)
        window = [st.value for st in BLIND_WINDOW]
        withheld = {s.id for s in self._mask(reader, self.store.summaries(statuses=window))
                    if s.suggestion_withheld}  # blind mode: the suggestion is not shown yet
        return [dataclasses.replace(r, suggested=BLIND_LABEL) if r.id in withheld else r
                for r in records]

    def suggestion_changes(self, classifier: Classifier, *,
                           ids: Sequence[int] | None = None) -> list[SuggestionChange]:
        """Documents the current model would suggest differently; see
        :func:`~classifier.workflow.register.suggestion_changes`."""
        return suggestion_changes(self.store, classifier, ids=ids)

    # --- queues ---

    def review_queue(self, order: str = "proposed", *,
                     reader_id: int | None = None) -> list[DocumentSummary]:
        """Proposals waiting for the director.

        Parameters
        ----------
        order : {"proposed", "uncertain"}
            Oldest proposal first (default), or most uncertain first: lowest model
            confidence (top class probability) first, so the most informative cases are
            decided first (house style §4.8, Prodigy's ``prefer_uncertain``).
        reader_id : int, optional
            The person the queue is shown to: the suggestions blind mode withholds from them
            are taken out (:mod:`classifier.workflow.blind`), and by uncertainty those rows
            come last, oldest proposal first. Always pass it for a person.
        """
        if order not in ("proposed", "uncertain"):
            raise UsageError(f"排序方式 {order!r} 无效，应为 proposed 或 uncertain")
        rows = self.store.summaries(statuses=[Status.PROPOSED.value], order=order)
        if reader_id is None:
            return rows
        rows = self._mask(self.store.user(reader_id), rows)
        if order == "uncertain":  # a withheld confidence must not show through the order
            blind = sorted((r for r in rows if r.suggestion_withheld),
                           key=lambda r: (r.proposed_at or r.uploaded_at, r.id))
            rows = [r for r in rows if not r.suggestion_withheld] + blind
        return rows

    def escalated(self) -> list[DocumentSummary]:
        """Matters waiting for the leading group, oldest first."""
        return self.store.summaries(statuses=[Status.ESCALATED.value], order="proposed")

    def allowed_actions(self, user: User, doc: Document) -> list[Action]:
        """The actions this user may take on this document now (for enabling buttons)."""
        out: list[Action] = []
        proposal = None
        for action, t in TRANSITIONS.items():
            if Status(doc.status) not in t.sources or Role(user.role) not in t.roles:
                continue
            if action is Action.EXPIRE:  # a job over the register, not a button
                continue
            if action in REVIEW_ACTIONS:
                if proposal is None:
                    proposals = self.store.proposals(doc.id)
                    proposal = proposals[-1] if proposals else None
                if proposal is not None and proposal.drafter_id == user.id:
                    continue
            out.append(action)
        return out

