"""Read models: what the store returns (frozen dataclasses, never ORM rows).

Source: issue 3 (§2); issue 10 (one name per concept: the engine's answer is
:class:`classifier.engine.Suggestion`, the stored copy :class:`StoredSuggestion`).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any, TypeVar


@dataclass(frozen=True)
class User:
    """A user: ``role`` is one of :class:`classifier.workflow.states.Role` (never the password)."""

    id: int
    name: str
    role: str
    active: bool
    created_at: datetime
    must_change_password: bool = False
    locked_until: datetime | None = None
    failed_logins: int = 0


@dataclass(frozen=True)
class LoginSession:
    """A login session (``via``: app or cli); ``ended_at`` set at logout or idle timeout."""

    id: int
    user_id: int
    via: str
    created_at: datetime
    last_seen_at: datetime
    ended_at: datetime | None
    end_reason: str | None


@dataclass(frozen=True)
class ApiToken:
    """A personal command-line token (its value is shown once and never stored)."""

    id: int
    user_id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True)
class Document:
    """A stored document and the classification in effect (``level`` is a label, e.g. 机密)."""

    id: int
    sha256: str
    filename: str
    size_bytes: int
    format: str
    text: str
    uploaded_by: int
    uploaded_at: datetime
    status: str
    level: str | None
    clause: str | None
    period_years: int | None
    condition: str | None
    mark: str | None
    scope: str | None
    updated_at: datetime
    version: int
    has_original: bool = False
    issued_on: date | None = None
    period_ends_on: date | None = None
    register_number: str | None = None
    declassify_to: str | None = None
    declassified_on: date | None = None
    blind: bool = False


@dataclass(frozen=True)
class StoredSuggestion:
    """The engine's suggestion as stored (``payload`` is the whole JSON object).

    Not :class:`classifier.engine.Suggestion` (the engine's live answer): this is the row
    kept with a document, with the model and catalogue versions that made it.
    """

    id: int
    document_id: int
    created_at: datetime
    level: str | None
    clause: str | None
    confidence: float | None
    needs_review: bool
    model_version: str | None
    catalogue_version: str | None
    error_code: str | None
    payload: dict[str, Any]

    @property
    def period(self) -> SuggestedPeriod:
        """The suggested secrecy period or declassification condition, with its mark."""
        p = self.payload.get("period") or {}
        return SuggestedPeriod(p.get("years"), p.get("condition"), p.get("mark") or "")

    @property
    def ocr(self) -> OcrSummary | None:
        """How the text was read by OCR (issue 5), or None when it was not."""
        o = self.payload.get("ocr")
        if not o:
            return None
        pages = tuple(int(p["page"]) for p in o.get("pages") or []
                      if isinstance(p, dict) and "page" in p)
        return OcrSummary(pages, float(o.get("mean_confidence") or 0.0))


@dataclass(frozen=True)
class SuggestedPeriod:
    """A suggestion's secrecy period (``years``) or declassification ``condition``, and mark."""

    years: int | None
    condition: str | None
    mark: str


@dataclass(frozen=True)
class OcrSummary:
    """The pages of a suggestion's text that were read by OCR, and the mean confidence."""

    pages: tuple[int, ...]
    mean_confidence: float


@dataclass(frozen=True)
class Proposal:
    """A drafter's proposal."""

    id: int
    document_id: int
    drafter_id: int
    suggestion_id: int | None
    level: str
    clause: str | None
    period_years: int | None
    condition: str | None
    mark: str
    scope: str
    note: str
    created_at: datetime
    kind: str = "classify"
    from_status: str | None = None
    reason_codes: list[str] | None = None


@dataclass(frozen=True)
class Decision:
    """A review or leading-group decision (``kind``: confirm, override, escalate, decide).

    ``passages`` lists the passages the decider ticked as deciding the level, each
    ``{"start": int, "end": int}`` (offsets into the document's text, in text order); it is
    ``None`` when the decision carries no passage labels and ``[]`` when the decider
    un-ticked every suggested passage.
    """

    id: int
    document_id: int
    kind: str
    actor_id: int
    actor_role: str
    level: str | None
    clause: str | None
    period_years: int | None
    condition: str | None
    mark: str | None
    reason: str
    created_at: datetime
    passages: list[dict[str, int]] | None = None
    reason_code: str | None = None
    supersedes_id: int | None = None
    issued_on: date | None = None
    register_number: str | None = None
    declassify_to: str | None = None
    reason_codes: list[str] | None = None


@dataclass(frozen=True)
class Judgement:
    """A reviewer's first judgement on a blind draft, made before the suggestion was shown."""

    id: int
    document_id: int
    actor_id: int
    actor_role: str
    level: str
    clause: str | None
    created_at: datetime


@dataclass(frozen=True)
class CatalogueEdit:
    """An administrator's answer (``outcome``: accepted or rejected) to a proposed edit of a
    clause's cue terms (``action``: add or remove ``term``)."""

    id: int
    clause: str
    action: str
    term: str
    reason_code: str
    support: int
    outcome: str
    actor_id: int
    note: str
    created_at: datetime


@dataclass(frozen=True)
class Event:
    """One line of the audit log."""

    id: int
    document_id: int | None
    actor_id: int | None
    actor_role: str | None
    action: str
    from_status: str | None
    to_status: str | None
    reason: str
    detail: dict[str, Any]
    created_at: datetime
    prev_hash: str | None = None
    hash: str | None = None


@dataclass(frozen=True)
class DocumentSummary:
    """One document with its latest suggestion, proposal and decision, for queues and 台账.

    ``blind`` is the draw of blind mode at upload (issue 14 §3). ``suggestion_withheld`` is
    set (``blind_before_proposal`` or ``blind_before_judgement``) when the workflow read it
    for a person who may not yet see the suggestion; the ``suggested_*``, ``confidence`` and
    ``needs_review`` fields are then None.
    """

    id: int
    filename: str
    status: str
    version: int
    uploaded_at: datetime
    uploader_name: str
    level: str | None
    clause: str | None
    mark: str | None
    suggested_level: str | None
    suggested_clause: str | None
    confidence: float | None
    needs_review: bool | None
    proposed_level: str | None
    proposed_clause: str | None
    proposed_at: datetime | None
    drafter_id: int | None
    drafter_name: str | None
    decision_kind: str | None
    decision_reason: str | None
    decided_by: str | None
    decided_at: datetime | None
    period_years: int | None = None
    condition: str | None = None
    scope: str | None = None
    issued_on: date | None = None
    period_ends_on: date | None = None
    register_number: str | None = None
    declassify_to: str | None = None
    declassified_on: date | None = None
    blind: bool = False
    suggestion_withheld: str | None = None

    @property
    def disagrees(self) -> bool:
        """True when the drafter's proposal differs from the engine's level or clause."""
        if self.proposed_level is None or self.suggested_level is None:
            return False
        return (self.proposed_level, self.proposed_clause) != (
            self.suggested_level,
            self.suggested_clause,
        )


T = TypeVar("T")


def read_model(cls: type[T], row: Any, **extra: Any) -> T:
    """Copy the dataclass ``cls``'s fields from an ORM row (``extra`` given explicitly)."""
    names = [f.name for f in fields(cls) if f.name not in extra]  # type: ignore[arg-type]
    return cls(**{n: getattr(row, n) for n in names}, **extra)


def document_of(row: Any, has_original: bool = False) -> Document:
    """The :class:`Document` of a ``documents`` row."""
    return read_model(Document, row, has_original=has_original)


@dataclass(frozen=True)
class FinalDocument:
    """A settled document with its latest decision and suggestion (the training export).

    Attributes
    ----------
    id, text, level, clause, status, sha256 : the document and the classification in effect
    updated_at : datetime
        When the document last changed.
    decided_at : datetime or None
        When its latest decision was made.
    passages : list of dict or None
        The latest decision's ticked passages (``{"start", "end"}``), as stored.
    suggested_level, suggested_clause, model_version : str or None
        The latest stored suggestion, and the model that made it.
    reason_codes : tuple of str
        The reason codes behind the classification in effect (issue 14 §1): every code on the
        document's decisions (the reviewers' reasons prevail); when they gave none, the latest
        proposal's if the final level and clause are the proposal's (the drafter's departure
        from the suggestion stood); in order, once.
    """

    id: int
    text: str
    level: str
    clause: str | None
    status: str
    sha256: str
    updated_at: datetime
    decided_at: datetime | None
    passages: list[dict[str, int]] | None
    suggested_level: str | None
    suggested_clause: str | None
    model_version: str | None
    reason_codes: tuple[str, ...] = ()
