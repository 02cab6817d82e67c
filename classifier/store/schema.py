"""The tables: SQLAlchemy 2 typed ORM rows, the UTC column type, the append-only guard.

Tables: ``users``, ``documents`` (one row per distinct file, by sha256, carrying the
current status and the classification in effect), ``suggestions`` (the engine's whole JSON),
``proposals`` (the drafter's 拟定), ``decisions`` (review and leading-group answers, with the
passages the decider ticked as decisive) and ``events`` (the audit log). Suggestions,
proposals, decisions and events are append-only: the ORM refuses to update or delete them
and, on SQLite and PostgreSQL, so do database triggers created by the migration.

Nothing outside :mod:`classifier.store` imports SQLAlchemy (the migrations aside).

Source: issue 3 (§2, §3); house style §4.8 (store, suggestion ≠ decision).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Index,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    event,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from classifier.errors import StoreError

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"

def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Store timezone-aware UTC datetimes; read them back aware (SQLite keeps none)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise TypeError("naive datetime given to the store; use classifier.store.utcnow()")
        return value.astimezone(UTC).replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


#: Named constraints, so that later (batch) migrations can refer to them on SQLite too.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON()}


class UserRow(Base):
    """A person who uses the app (``role``: one of :class:`classifier.workflow.states.Role`).

    ``password_hash`` is an argon2id PHC string (never the password); ``must_change_password``
    is set for a first or reset password; ``failed_logins`` and ``locked_until`` carry the
    lockout (migration 0003).
    """

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    password_hash: Mapped[str | None] = mapped_column(String(255), default=None)
    must_change_password: Mapped[bool] = mapped_column(default=False)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(default=None)
    password_changed_at: Mapped[datetime | None] = mapped_column(default=None)


class SessionRow(Base):
    """A login session (app or command line): only the sha256 of its random token is kept."""

    __tablename__ = "sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    via: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    ended_at: Mapped[datetime | None] = mapped_column(default=None)
    end_reason: Mapped[str | None] = mapped_column(String(20), default=None)


class ApiTokenRow(Base):
    """A personal token for the command line, created by its owner; kept as its sha256."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)


class DocumentRow(Base):
    """One distinct uploaded file, its status and the classification in effect."""

    __tablename__ = "documents"
    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(255))
    size_bytes: Mapped[int]
    format: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(Text)
    original: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20), index=True)
    level: Mapped[str | None] = mapped_column(String(10))
    clause: Mapped[str | None] = mapped_column(String(20))
    period_years: Mapped[int | None]
    condition: Mapped[str | None] = mapped_column(String(200))
    mark: Mapped[str | None] = mapped_column(String(50))
    scope: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(default=1)
    #: The life of a classification (migration 0004): the date of issue (制发日) the period
    #: runs from, the period's last day, the register number (登记编号; ``register_year`` and
    #: ``register_seq`` unique together, never reused), the level a declassified matter
    #: becomes (内部 or 公开, regulation 五(五)2) and the day it was declassified.
    issued_on: Mapped[date | None] = mapped_column(Date, default=None)
    period_ends_on: Mapped[date | None] = mapped_column(Date, default=None)
    register_number: Mapped[str | None] = mapped_column(String(60), default=None)
    register_year: Mapped[int | None] = mapped_column(default=None)
    register_seq: Mapped[int | None] = mapped_column(default=None)
    declassify_to: Mapped[str | None] = mapped_column(String(10), default=None)
    declassified_on: Mapped[date | None] = mapped_column(Date, default=None)
    #: Migration 0006: drawn for blind mode at upload (issue 14 §3).
    blind: Mapped[bool] = mapped_column(default=False)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (Index("uq_documents_register_number", "register_number", unique=True),
                      Index("ux_documents_register_year_seq", "register_year", "register_seq",
                            unique=True))


class SuggestionRow(Base):
    """The engine's answer for a document (the whole JSON object), append-only."""

    __tablename__ = "suggestions"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    created_at: Mapped[datetime]
    level: Mapped[str | None] = mapped_column(String(10))
    clause: Mapped[str | None] = mapped_column(String(20))
    confidence: Mapped[float | None]
    needs_review: Mapped[bool]
    model_version: Mapped[str | None] = mapped_column(String(100))
    catalogue_version: Mapped[str | None] = mapped_column(String(100))
    error_code: Mapped[str | None] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]]


class ProposalRow(Base):
    """A drafter's proposal (拟定密级), append-only."""

    __tablename__ = "proposals"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    drafter_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    suggestion_id: Mapped[int | None] = mapped_column(ForeignKey("suggestions.id"))
    level: Mapped[str] = mapped_column(String(10))
    clause: Mapped[str | None] = mapped_column(String(20))
    period_years: Mapped[int | None]
    condition: Mapped[str | None] = mapped_column(String(200))
    mark: Mapped[str] = mapped_column(String(50))
    scope: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    #: ``classify`` (the first 拟定), ``change`` (a change of level or period) or
    #: ``declassify`` (migration 0004); for a change the status it started from.
    kind: Mapped[str] = mapped_column(String(20), default="classify")
    from_status: Mapped[str | None] = mapped_column(String(20), default=None)
    #: Migration 0006: the drafter's reason codes when the proposal departs from the
    #: suggestion (a JSON list of :class:`classifier.workflow.reasons.ReasonCode` values).
    reason_codes: Mapped[list[str] | None] = mapped_column(JSON, default=None)


class DecisionRow(Base):
    """A person's answer: confirm, override, escalate or decide; append-only."""

    __tablename__ = "decisions"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    actor_role: Mapped[str] = mapped_column(String(20))
    level: Mapped[str | None] = mapped_column(String(10))
    clause: Mapped[str | None] = mapped_column(String(20))
    period_years: Mapped[int | None]
    condition: Mapped[str | None] = mapped_column(String(200))
    mark: Mapped[str | None] = mapped_column(String(50))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    #: Passages the decider ticked as deciding the level: ``[{"start", "end"}, ...]``,
    #: offsets into the document's text; ``None`` when none were given (migration 0002).
    passages: Mapped[list[dict[str, int]] | None] = mapped_column(JSON, default=None)
    #: Migration 0004: the reviewer's reason code (:mod:`classifier.workflow.reasons`), the
    #: decision this one replaces (a change or declassification), the date of issue and
    #: register number recorded with a settling decision, and the level after declassification.
    reason_code: Mapped[str | None] = mapped_column(String(40), default=None)
    supersedes_id: Mapped[int | None] = mapped_column(default=None)
    issued_on: Mapped[date | None] = mapped_column(Date, default=None)
    register_number: Mapped[str | None] = mapped_column(String(60), default=None)
    declassify_to: Mapped[str | None] = mapped_column(String(10), default=None)
    #: Migration 0006: every reason code given (``reason_code`` keeps the first).
    reason_codes: Mapped[list[str] | None] = mapped_column(JSON, default=None)


class JudgementRow(Base):
    """A reviewer's first judgement on a blind draft, before the suggestion is shown
    (issue 14 §3); append-only."""

    __tablename__ = "judgements"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    actor_role: Mapped[str] = mapped_column(String(20))
    level: Mapped[str] = mapped_column(String(10))
    clause: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime]


class CatalogueEditRow(Base):
    """An administrator's answer to a proposed catalogue edit: ``action`` ``add`` or
    ``remove`` of cue ``term`` on ``clause``, proposed from ``support`` decisions giving
    ``reason_code``; ``outcome`` ``accepted`` or ``rejected`` (issue 14 §1); append-only."""

    __tablename__ = "catalogue_edits"
    id: Mapped[int] = mapped_column(primary_key=True)
    clause: Mapped[str] = mapped_column(String(20), index=True)
    action: Mapped[str] = mapped_column(String(10))
    term: Mapped[str] = mapped_column(String(100))
    reason_code: Mapped[str] = mapped_column(String(40))
    support: Mapped[int]
    outcome: Mapped[str] = mapped_column(String(10))
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]


class EventRow(Base):
    """The audit log: every action with actor, role, time, status change and reason."""

    __tablename__ = "events"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_role: Mapped[str | None] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(30))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    #: The hash chain (migration 0003): ``hash`` = sha256 over this row's content and
    #: ``prev_hash`` (the previous row's ``hash``); see :mod:`classifier.store.chain`.
    prev_hash: Mapped[str | None] = mapped_column(String(64), index=True, unique=True,
                                                  default=None)
    hash: Mapped[str | None] = mapped_column(String(64), default=None)


APPEND_ONLY_TABLES = ("suggestions", "proposals", "decisions", "events", "judgements",
                      "catalogue_edits")


@event.listens_for(SuggestionRow, "before_update")
@event.listens_for(ProposalRow, "before_update")
@event.listens_for(DecisionRow, "before_update")
@event.listens_for(EventRow, "before_update")
@event.listens_for(SuggestionRow, "before_delete")
@event.listens_for(ProposalRow, "before_delete")
@event.listens_for(DecisionRow, "before_delete")
@event.listens_for(EventRow, "before_delete")
@event.listens_for(JudgementRow, "before_update")
@event.listens_for(JudgementRow, "before_delete")
@event.listens_for(CatalogueEditRow, "before_update")
@event.listens_for(CatalogueEditRow, "before_delete")
def _refuse_change(mapper: Any, connection: Any, target: Any) -> None:
    """Append-only tables: history is never rewritten."""
    raise StoreError(f"{target.__tablename__} 只能追加，不能修改或删除历史记录")

