"""Persistence: the SQLAlchemy 2 typed ORM and every SQL statement of dingmi.

Tables: ``users``, ``documents`` (one row per distinct file, by sha256, carrying the
current status and the classification in effect), ``suggestions`` (the engine's whole JSON),
``proposals`` (the drafter's 拟定), ``decisions`` (review and leading-group answers, with the
passages the decider ticked as decisive) and ``events`` (the audit log). Suggestions, proposals, decisions and events are append-only:
the ORM refuses to update or delete them and, on SQLite and PostgreSQL, so do database
triggers created by the migration.

Nothing outside this module imports SQLAlchemy. Reads return frozen dataclasses; writes go
through :meth:`Store.transaction`, one transaction per workflow action
(:mod:`classifier.workflow` holds the rules).

Source: issue 3 (§2, §3); house style §4.8 (store, suggestion ≠ decision).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    Engine,
    ForeignKey,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    create_engine,
    event,
    func,
    or_,
    select,
)
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    mapped_column,
)
from sqlalchemy.orm.exc import StaleDataError

from classifier.config import Settings
from classifier.errors import (
    NotFoundError,
    StaleVersionError,
    StoreError,
    UnknownUserError,
    UserExistsError,
)

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
#: Seconds a writer waits for another writer's lock on SQLite before failing.
SQLITE_BUSY_TIMEOUT_S = 10.0


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
    """A person who uses the app (``role``: drafter, director, leading_group, admin)."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]


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

    __mapper_args__ = {"version_id_col": version}


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


APPEND_ONLY_TABLES = ("suggestions", "proposals", "decisions", "events")


@event.listens_for(SuggestionRow, "before_update")
@event.listens_for(ProposalRow, "before_update")
@event.listens_for(DecisionRow, "before_update")
@event.listens_for(EventRow, "before_update")
@event.listens_for(SuggestionRow, "before_delete")
@event.listens_for(ProposalRow, "before_delete")
@event.listens_for(DecisionRow, "before_delete")
@event.listens_for(EventRow, "before_delete")
def _refuse_change(mapper: Any, connection: Any, target: Any) -> None:
    """Append-only tables: history is never rewritten."""
    raise StoreError(f"{target.__tablename__} 只能追加，不能修改或删除历史记录")


# --- public read models --------------------------------------------------------------


@dataclass(frozen=True)
class User:
    """A user: ``role`` is one of drafter, director, leading_group, admin."""

    id: int
    name: str
    role: str
    active: bool
    created_at: datetime


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


@dataclass(frozen=True)
class Suggestion:
    """The engine's suggestion as stored (``payload`` is the whole JSON object)."""

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


@dataclass(frozen=True)
class DocumentSummary:
    """One document with its latest suggestion, proposal and decision, for queues and 台账."""

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

    @property
    def disagrees(self) -> bool:
        """True when the drafter's proposal differs from the engine's level or clause."""
        if self.proposed_level is None or self.suggested_level is None:
            return False
        return (self.proposed_level, self.proposed_clause) != (
            self.suggested_level,
            self.suggested_clause,
        )


def _to(cls: type, row: Any, **extra: Any) -> Any:
    """Copy the dataclass's fields from an ORM row."""
    names = [f for f in cls.__dataclass_fields__ if f not in extra]
    return cls(**{n: getattr(row, n) for n in names}, **extra)


def _document(row: DocumentRow, has_original: bool = False) -> Document:
    return _to(Document, row, has_original=has_original)


# --- transactions --------------------------------------------------------------------


class StoreTx:
    """The writes (and reads) of one transaction; obtained from :meth:`Store.transaction`."""

    def __init__(self, session: Session) -> None:
        self._s = session

    def user(self, user_id: int) -> User:
        """Return an active user, or raise :class:`UnknownUserError`."""
        row = self._s.get(UserRow, user_id)
        if row is None or not row.active:
            raise UnknownUserError(f"用户 {user_id} 不存在或已停用")
        return _to(User, row)

    def add_user(self, name: str, role: str) -> User:
        """Insert a user; :class:`UserExistsError` if the name is taken."""
        if self._s.scalar(select(UserRow.id).where(UserRow.name == name)) is not None:
            raise UserExistsError(f"用户“{name}”已存在")
        row = UserRow(name=name, role=role, active=True, created_at=utcnow())
        self._s.add(row)
        self._s.flush()
        return _to(User, row)

    def document(self, document_id: int) -> Document:
        """Return a document as it is now in this transaction, or raise NotFoundError."""
        row = self._s.get(DocumentRow, document_id, populate_existing=True)
        if row is None:
            raise NotFoundError(f"文件记录 {document_id} 不存在")
        return _document(row)

    def latest_suggestion(self, document_id: int) -> Suggestion | None:
        """The newest suggestion for a document, if any."""
        row = self._s.scalar(
            select(SuggestionRow)
            .where(SuggestionRow.document_id == document_id)
            .order_by(SuggestionRow.id.desc())
            .limit(1)
        )
        return None if row is None else _to(Suggestion, row)

    def latest_proposal(self, document_id: int) -> Proposal | None:
        """The newest proposal for a document, if any."""
        row = self._s.scalar(
            select(ProposalRow)
            .where(ProposalRow.document_id == document_id)
            .order_by(ProposalRow.id.desc())
            .limit(1)
        )
        return None if row is None else _to(Proposal, row)

    def document_by_sha256(self, sha256: str) -> Document | None:
        """Return the document with these bytes, if any."""
        row = self._s.scalar(select(DocumentRow).where(DocumentRow.sha256 == sha256))
        return None if row is None else _document(row)

    def add_document(self, **fields: Any) -> Document | None:
        """Insert a document; ``None`` when a row with the same sha256 already exists."""
        now = utcnow()
        row = DocumentRow(uploaded_at=now, updated_at=now, **fields)
        try:
            with self._s.begin_nested():
                self._s.add(row)
        except IntegrityError:
            return None
        return _document(row, has_original=row.original is not None)

    def update_document(self, document_id: int, expected_version: int, **fields: Any) -> Document:
        """Change a document if it still has ``expected_version`` (else StaleVersionError).

        The UPDATE itself carries ``WHERE version = :loaded`` (SQLAlchemy's version
        counter), so a concurrent writer that committed in between also loses.
        """
        row = self._s.get(DocumentRow, document_id, populate_existing=True)
        if row is None:
            raise NotFoundError(f"文件记录 {document_id} 不存在")
        if row.version != expected_version:
            raise StaleVersionError(
                f"《{row.filename}》已被他人处理（版本 {expected_version} → {row.version}），请刷新后重试"
            )
        filename = row.filename  # the row is unusable once a flush has failed
        for key, value in fields.items():
            setattr(row, key, value)
        row.updated_at = utcnow()
        try:
            self._s.flush()
        except StaleDataError as e:
            raise StaleVersionError(f"《{filename}》已被他人处理，请刷新后重试") from e
        return _document(row)

    def add_suggestion(self, document_id: int, payload: dict[str, Any]) -> Suggestion:
        """Store the engine's JSON object for a document."""
        err = payload.get("error")
        row = SuggestionRow(
            document_id=document_id,
            created_at=utcnow(),
            level=payload.get("level"),
            clause=payload.get("clause"),
            confidence=payload.get("confidence"),
            needs_review=bool(payload.get("needs_review", True)),
            model_version=payload.get("model_version"),
            catalogue_version=payload.get("catalogue_version"),
            error_code=err.get("code") if isinstance(err, dict) else None,
            payload=payload,
        )
        self._s.add(row)
        self._s.flush()
        return _to(Suggestion, row)

    def add_proposal(self, **fields: Any) -> Proposal:
        """Insert a proposal row."""
        row = ProposalRow(created_at=utcnow(), **fields)
        self._s.add(row)
        self._s.flush()
        return _to(Proposal, row)

    def add_decision(self, **fields: Any) -> Decision:
        """Insert a decision row (``passages``: already checked offsets, or None)."""
        row = DecisionRow(created_at=utcnow(), **fields)
        self._s.add(row)
        self._s.flush()
        return _to(Decision, row)

    def add_event(
        self,
        action: str,
        *,
        document_id: int | None = None,
        actor: User | None = None,
        from_status: str | None = None,
        to_status: str | None = None,
        reason: str = "",
        detail: dict[str, Any] | None = None,
    ) -> Event:
        """Append one line to the audit log."""
        row = EventRow(
            document_id=document_id,
            actor_id=actor.id if actor else None,
            actor_role=actor.role if actor else None,
            action=action,
            from_status=from_status,
            to_status=to_status,
            reason=reason,
            detail=detail or {},
            created_at=utcnow(),
        )
        self._s.add(row)
        self._s.flush()
        return _to(Event, row)


# --- the store -----------------------------------------------------------------------


def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    """WAL, foreign keys, busy timeout; and let SQLAlchemy emit BEGIN itself."""
    dbapi_connection.isolation_level = None  # pysqlite would otherwise BEGIN lazily
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
    cur.close()


def _sqlite_begin(conn: Any) -> None:
    """Writers take the write lock at BEGIN, so two writers serialise instead of deadlocking."""
    write = conn.get_execution_options().get("dingmi_write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


class Store:
    """The database: open it with :meth:`open`, read with its methods, write in transactions.

    Parameters
    ----------
    db_engine : sqlalchemy.Engine
        An engine already migrated to head (use :meth:`open` or :meth:`from_url`).
    store_originals : bool
        Whether :func:`classifier.workflow.upload` keeps the uploaded bytes.
    """

    def __init__(self, db_engine: Engine, *, store_originals: bool = False) -> None:
        self.db_engine = db_engine
        self.store_originals = store_originals
        self._write_engine = db_engine.execution_options(dingmi_write=True)

    @classmethod
    def open(cls, settings: Settings) -> Store:
        """Open (and create or upgrade to the latest schema) the database of ``settings``.

        Raises
        ------
        StoreError
            If the database schema is newer than this code, or it cannot be reached.
        """
        if settings.database_url is None:
            Path(settings.home).mkdir(parents=True, exist_ok=True)
        return cls.from_url(settings.db_url, store_originals=settings.store_originals)

    @classmethod
    def from_url(cls, url: str, *, store_originals: bool = False) -> Store:
        """Open the database at a SQLAlchemy URL and migrate it to head."""
        db_engine = create_engine(url, future=True)
        if db_engine.dialect.name == "sqlite":
            event.listen(db_engine, "connect", _sqlite_pragmas)
            event.listen(db_engine, "begin", _sqlite_begin)
        store = cls(db_engine, store_originals=store_originals)
        store.upgrade()
        return store

    def upgrade(self) -> None:
        """Run the Alembic migrations up to head (no ``alembic.ini``: configured in code)."""
        from alembic import command
        from alembic.config import Config
        from alembic.runtime.migration import MigrationContext
        from alembic.script import ScriptDirectory
        from alembic.util import CommandError

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
        script = ScriptDirectory.from_config(cfg)
        try:
            with self._write_engine.begin() as conn:
                current = MigrationContext.configure(conn).get_current_revision()
                if current is not None:
                    try:
                        script.get_revision(current)
                    except CommandError as e:
                        raise StoreError(
                            f"数据库结构版本 {current} 比本程序新，请升级 dingmi 后再打开"
                        ) from e
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
        except OperationalError as e:
            raise StoreError(f"无法打开数据库：{e.orig}") from e

    def schema_revision(self) -> str | None:
        """The Alembic revision the database is at."""
        from alembic.runtime.migration import MigrationContext

        with self.db_engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def close(self) -> None:
        """Release the connections."""
        self.db_engine.dispose()

    @contextmanager
    def transaction(self) -> Iterator[StoreTx]:
        """One write transaction: committed on success, rolled back on any exception."""
        with Session(self._write_engine, expire_on_commit=False) as session, session.begin():
            yield StoreTx(session)

    @contextmanager
    def _read(self) -> Iterator[Session]:
        with Session(self.db_engine) as session:
            yield session

    # --- reads ---

    def users(self, *, include_inactive: bool = False) -> list[User]:
        """All users, by id."""
        with self._read() as s:
            q = select(UserRow).order_by(UserRow.id)
            if not include_inactive:
                q = q.where(UserRow.active.is_(True))
            return [_to(User, r) for r in s.scalars(q)]

    def user(self, user_id: int) -> User:
        """One active user, or :class:`UnknownUserError`."""
        with self._read() as s:
            return StoreTx(s).user(user_id)

    def user_by_name(self, name: str) -> User:
        """The active user of this name, or :class:`UnknownUserError`."""
        with self._read() as s:
            row = s.scalar(select(UserRow).where(UserRow.name == name))
            if row is None or not row.active:
                raise UnknownUserError(f"用户“{name}”不存在（可用 dingmi users add 添加）")
            return _to(User, row)

    def document(self, document_id: int) -> Document:
        """One document, or :class:`classifier.errors.NotFoundError`."""
        with self._read() as s:
            row = s.get(DocumentRow, document_id)
            if row is None:
                raise NotFoundError(f"文件记录 {document_id} 不存在")
            has = s.scalar(
                select(DocumentRow.original.is_not(None)).where(DocumentRow.id == document_id)
            )
            return _document(row, has_original=bool(has))

    def document_by_sha256(self, sha256: str) -> Document | None:
        """The document with these bytes, if already uploaded."""
        with self._read() as s:
            return StoreTx(s).document_by_sha256(sha256)

    def original(self, document_id: int) -> bytes | None:
        """The uploaded bytes, when they were kept."""
        with self._read() as s:
            return s.scalar(select(DocumentRow.original).where(DocumentRow.id == document_id))

    def latest_suggestion(self, document_id: int) -> Suggestion | None:
        """The newest suggestion for a document."""
        with self._read() as s:
            return StoreTx(s).latest_suggestion(document_id)

    def proposals(self, document_id: int) -> list[Proposal]:
        """Every proposal for a document, oldest first."""
        with self._read() as s:
            q = select(ProposalRow).where(ProposalRow.document_id == document_id)
            return [_to(Proposal, r) for r in s.scalars(q.order_by(ProposalRow.id))]

    def decisions(self, document_id: int | None = None) -> list[Decision]:
        """Decisions (of one document, or all), oldest first."""
        with self._read() as s:
            q = select(DecisionRow).order_by(DecisionRow.id)
            if document_id is not None:
                q = q.where(DecisionRow.document_id == document_id)
            return [_to(Decision, r) for r in s.scalars(q)]

    def events(self, document_id: int | None = None) -> list[Event]:
        """The audit log (of one document, or all), oldest first."""
        with self._read() as s:
            q = select(EventRow).order_by(EventRow.id)
            if document_id is not None:
                q = q.where(EventRow.document_id == document_id)
            return [_to(Event, r) for r in s.scalars(q)]

    def summaries(
        self,
        *,
        statuses: Sequence[str] | None = None,
        levels: Sequence[str] | None = None,
        search: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        uploaded_by: int | None = None,
        order: str = "proposed",
    ) -> list[DocumentSummary]:
        """Documents with their latest suggestion, proposal and decision.

        Parameters
        ----------
        statuses, levels : sequence of str, optional
            Keep only these statuses / levels in effect (labels such as 机密).
        search : str, optional
            Substring of the file name, clause, mark, drafter's name or text.
        since, until : datetime, optional
            Upload time window (aware datetimes; ``until`` exclusive).
        order : {"proposed", "uploaded", "updated", "uncertain"}
            Oldest first by proposal time (then upload time), by upload time, newest
            change first, or most uncertain first (lowest model confidence of the latest
            suggestion first, documents without one first; ties oldest proposal first).
        """
        def latest(model: Any) -> Any:
            return (
                select(model.document_id, func.max(model.id).label("last_id"))
                .group_by(model.document_id)
                .subquery()
            )

        last_s, last_p, last_d = latest(SuggestionRow), latest(ProposalRow), latest(DecisionRow)
        uploader = UserRow.__table__.alias("uploader")
        drafter = UserRow.__table__.alias("drafter")
        decider = UserRow.__table__.alias("decider")
        q = (
            select(DocumentRow, SuggestionRow, ProposalRow, DecisionRow, uploader.c.name,
                   drafter.c.name, decider.c.name)
            .join(uploader, uploader.c.id == DocumentRow.uploaded_by)
            .outerjoin(last_s, last_s.c.document_id == DocumentRow.id)
            .outerjoin(SuggestionRow, SuggestionRow.id == last_s.c.last_id)
            .outerjoin(last_p, last_p.c.document_id == DocumentRow.id)
            .outerjoin(ProposalRow, ProposalRow.id == last_p.c.last_id)
            .outerjoin(drafter, drafter.c.id == ProposalRow.drafter_id)
            .outerjoin(last_d, last_d.c.document_id == DocumentRow.id)
            .outerjoin(DecisionRow, DecisionRow.id == last_d.c.last_id)
            .outerjoin(decider, decider.c.id == DecisionRow.actor_id)
        )
        if statuses:
            q = q.where(DocumentRow.status.in_(list(statuses)))
        if levels:
            q = q.where(DocumentRow.level.in_(list(levels)))
        if since is not None:
            q = q.where(DocumentRow.uploaded_at >= since)
        if until is not None:
            q = q.where(DocumentRow.uploaded_at < until)
        if uploaded_by is not None:
            q = q.where(DocumentRow.uploaded_by == uploaded_by)
        if search:
            q = q.where(
                or_(
                    DocumentRow.filename.contains(search, autoescape=True),
                    DocumentRow.clause.contains(search, autoescape=True),
                    DocumentRow.mark.contains(search, autoescape=True),
                    drafter.c.name.contains(search, autoescape=True),
                    DocumentRow.text.contains(search, autoescape=True),
                )
            )
        if order == "proposed":
            q = q.order_by(func.coalesce(ProposalRow.created_at, DocumentRow.uploaded_at),
                           DocumentRow.id)
        elif order == "uploaded":
            q = q.order_by(DocumentRow.uploaded_at, DocumentRow.id)
        elif order == "uncertain":
            q = q.order_by(SuggestionRow.confidence.is_not(None), SuggestionRow.confidence,
                           func.coalesce(ProposalRow.created_at, DocumentRow.uploaded_at),
                           DocumentRow.id)
        elif order == "updated":
            q = q.order_by(DocumentRow.updated_at.desc(), DocumentRow.id.desc())
        else:
            raise ValueError(f"unknown order {order!r}")
        out = []
        with self._read() as s:
            for d, sg, p, dec, up_name, dr_name, de_name in s.execute(q):
                out.append(
                    DocumentSummary(
                        id=d.id, filename=d.filename, status=d.status, version=d.version,
                        uploaded_at=d.uploaded_at, uploader_name=up_name, level=d.level,
                        clause=d.clause, mark=d.mark,
                        suggested_level=sg.level if sg else None,
                        suggested_clause=sg.clause if sg else None,
                        confidence=sg.confidence if sg else None,
                        needs_review=sg.needs_review if sg else None,
                        proposed_level=p.level if p else None,
                        proposed_clause=p.clause if p else None,
                        proposed_at=p.created_at if p else None,
                        drafter_id=p.drafter_id if p else None,
                        drafter_name=dr_name,
                        decision_kind=dec.kind if dec else None,
                        decision_reason=dec.reason if dec else None,
                        decided_by=de_name,
                        decided_at=dec.created_at if dec else None,
                        period_years=d.period_years, condition=d.condition,
                        scope=d.scope if d.scope else (p.scope if p else None),
                    )
                )
        return out

    def final_decision_records(self) -> Iterator[dict[str, Any]]:
        """Final decisions of this store as training records (see :func:`final_decision_records`)."""
        def latest(model: Any) -> Any:
            return (select(model.document_id, func.max(model.id).label("last_id"))
                    .group_by(model.document_id).subquery())

        last_s, last_d = latest(SuggestionRow), latest(DecisionRow)
        q = (
            select(DocumentRow.id, DocumentRow.text, DocumentRow.level, DocumentRow.clause,
                   DocumentRow.status, DocumentRow.sha256, DocumentRow.updated_at,
                   DecisionRow.created_at, DecisionRow.passages, SuggestionRow.level,
                   SuggestionRow.clause, SuggestionRow.model_version)
            .outerjoin(last_s, last_s.c.document_id == DocumentRow.id)
            .outerjoin(SuggestionRow, SuggestionRow.id == last_s.c.last_id)
            .outerjoin(last_d, last_d.c.document_id == DocumentRow.id)
            .outerjoin(DecisionRow, DecisionRow.id == last_d.c.last_id)
            .where(DocumentRow.status.in_(FINAL_STATUSES), DocumentRow.level.is_not(None))
            .order_by(DocumentRow.id)
        )
        with self._read() as s:
            rows = s.execute(q).all()
        for (doc_id, text, level, clause, status, sha, updated, decided, passages, s_level,
             s_clause, mv) in rows:
            if text and text.strip():
                record = {"id": f"db-{doc_id}", "text": text, "level": level, "clause": clause,
                          "source": f"decision:{status}", "status": status, "sha256": sha,
                          "decided_at": (decided or updated).isoformat(),
                          "suggested_level": s_level, "suggested_clause": s_clause,
                          "model_version": mv}
                keys = key_passages(passages, len(text)) if level in SECRET_LEVELS else []
                if keys:
                    record["passages"] = keys
                yield record


#: Statuses in which a person has settled the classification (mirrors workflow.Status).
FINAL_STATUSES = ("confirmed", "overridden", "decided")
#: Level labels of state secrets (mirrors catalogue.Level.is_secret): only these train the
#: passage model on decisive passages.
SECRET_LEVELS = ("秘密", "机密", "绝密")


def key_passages(passages: Any, text_len: int) -> list[dict[str, Any]]:
    """A decision's ticked passages as training annotations (``kind`` ``"key"``).

    Parameters
    ----------
    passages : list of dict or None
        The stored ``decisions.passages`` (``{"start", "end"}`` offsets).
    text_len : int
        Length of the document's text; a range outside it is left out (defensive: the
        workflow refuses such ranges when it records them).

    Returns
    -------
    list of dict
        ``{"kind": "key", "start": int, "end": int}`` in text order, as
        :func:`classifier.crossval.key_spans` reads them; empty when there are none.
    """
    out = []
    for p in passages or []:
        try:
            start, end = p["start"], p["end"]
        except (KeyError, TypeError):
            continue
        if (type(start) is int and type(end) is int and 0 <= start < end <= text_len):
            out.append({"kind": "key", "start": start, "end": end})
    return sorted(out, key=lambda p: (p["start"], p["end"]))


def final_decision_records(settings: Settings) -> Iterator[dict[str, Any]]:
    """Settled documents as training records.

    Only final human decisions train the model (house style §4.8): confirmed, overridden or
    decided by the leading group; pending and escalated ones never do. The label is the
    classification in effect on the document, i.e. the latest decision's. Yields nothing
    when the embedded database does not exist yet (training must not create it).

    Yields
    ------
    dict
        ``id`` (``db-<document id>``), ``text``, ``level``, ``clause``, ``source``
        (``decision:<status>``), ``status``, ``sha256`` (of the uploaded bytes),
        ``decided_at`` (ISO 8601, UTC; of the latest decision), ``suggested_level`` and
        ``suggested_clause`` (the latest stored suggestion, None when there is none),
        ``model_version`` (the model that made it) and, for a secret whose latest decision
        has ticked passages, ``passages``: ``[{"kind": "key", "start", "end"}, ...]``
        (see :func:`key_passages`), which train the passage model.
    """
    if settings.database_url is None and not (Path(settings.home) / "dingmi.sqlite3").exists():
        return
    store = Store.open(settings)
    try:
        yield from store.final_decision_records()
    finally:
        store.close()
