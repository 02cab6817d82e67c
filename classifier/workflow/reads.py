"""The reads of the workflow: the store's read models, the queues, what a user may do now.

Pages and the CLI read through these methods (never through the store), so that the
workflow is the one door to the documents.

Source: issue 3 (§1 the queues); issue 10 (pages and CLI call the workflow only).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Self

from classifier.catalogue import Catalogue
from classifier.errors import UsageError
from classifier.store import (
    Decision,
    Document,
    DocumentSummary,
    Event,
    Proposal,
    Store,
    StoredSuggestion,
    User,
)
from classifier.workflow.register import (
    Record,
    SuggestionChange,
    query_records,
    suggestion_changes,
)
from classifier.workflow.states import REVIEW_ACTIONS, TRANSITIONS, Action, Role, Status

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
    """

    def __init__(self, store: Store, catalogue: Catalogue | None = None) -> None:
        self.store = store
        self.catalogue = catalogue

    @classmethod
    def open(cls, settings: Settings, catalogue: Catalogue | None = None) -> Self:
        """Open the database of ``settings`` (created or migrated on first use).

        Raises
        ------
        StoreError
            The database cannot be reached, or its schema is newer than this code.
        """
        return cls(Store.open(settings), catalogue)

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

    def document(self, document_id: int) -> Document:
        """One document, or :class:`NotFoundError`."""
        return self.store.document(document_id)

    def original(self, document_id: int) -> bytes | None:
        """The uploaded bytes, when they were kept."""
        return self.store.original(document_id)

    def latest_suggestion(self, document_id: int) -> StoredSuggestion | None:
        """The newest stored suggestion for a document."""
        return self.store.latest_suggestion(document_id)

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
        self, *, statuses: Sequence[str] | None = None, levels: Sequence[str] | None = None,
        search: str | None = None, since: datetime | None = None,
        until: datetime | None = None, uploaded_by: int | None = None,
        order: str = "proposed",
    ) -> list[DocumentSummary]:
        """Documents with their latest suggestion, proposal and decision.

        See :meth:`classifier.store.Store.summaries` for the filters and orders.
        """
        return self.store.summaries(statuses=statuses, levels=levels, search=search,
                                    since=since, until=until, uploaded_by=uploaded_by,
                                    order=order)

    def summary(self, document_id: int) -> DocumentSummary | None:
        """One document's summary (None when there is no such document)."""
        return next((s for s in self.store.summaries() if s.id == document_id), None)

    def records(self, **filters: Any) -> list[Record]:
        """The register (台账), newest change first; see :func:`~classifier.workflow.register.query_records`."""
        return query_records(self.store, **filters)

    def suggestion_changes(self, classifier: Classifier, *,
                           ids: Sequence[int] | None = None) -> list[SuggestionChange]:
        """Documents the current model would suggest differently; see
        :func:`~classifier.workflow.register.suggestion_changes`."""
        return suggestion_changes(self.store, classifier, ids=ids)

    # --- queues ---

    def review_queue(self, order: str = "proposed") -> list[DocumentSummary]:
        """Proposals waiting for the director.

        Parameters
        ----------
        order : {"proposed", "uncertain"}
            Oldest proposal first (default), or most uncertain first: lowest model
            confidence (top class probability) first, so the most informative cases are
            decided first (house style §4.8, Prodigy's ``prefer_uncertain``).
        """
        if order not in ("proposed", "uncertain"):
            raise UsageError(f"排序方式 {order!r} 无效，应为 proposed 或 uncertain")
        return self.store.summaries(statuses=[Status.PROPOSED.value], order=order)

    def escalated(self) -> list[DocumentSummary]:
        """Matters waiting for the leading group, oldest first."""
        return self.store.summaries(statuses=[Status.ESCALATED.value], order="proposed")

    def allowed_actions(self, user: User, doc: Document) -> list[Action]:
        """The actions this user may take on this document now (for enabling buttons)."""
        out = []
        proposal = None
        for action, t in TRANSITIONS.items():
            if Status(doc.status) not in t.sources or Role(user.role) not in t.roles:
                continue
            if action in REVIEW_ACTIONS:
                if proposal is None:
                    proposals = self.store.proposals(doc.id)
                    proposal = proposals[-1] if proposals else None
                if proposal is not None and proposal.drafter_id == user.id:
                    continue
            out.append(action)
        return out

