"""The database: :class:`Store` opens it (migrating to head), reads it, and hands out transactions.

Reads return the frozen dataclasses of :mod:`classifier.store.models`; writes go through
:meth:`Store.transaction`, one transaction per workflow action (:mod:`classifier.workflow`
holds the rules). Every SQL statement of dingmi is in this package.

Source: issue 3 (§2, §3); house style §4.8 (store, suggestion ≠ decision).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event, func, or_, select
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from classifier.config import Settings
from classifier.errors import (
    DatabaseBusyError,
    DatabaseKeyError,
    DatabaseUnavailableError,
    NotFoundError,
    StoreError,
    UnknownUserError,
)
from classifier.store.models import (
    CatalogueEdit,
    Decision,
    Document,
    DocumentSummary,
    Event,
    FinalDocument,
    Judgement,
    LoginSession,
    Proposal,
    StoredSuggestion,
    User,
    document_of,
    read_model,
)
from classifier.store.schema import (
    MIGRATIONS_DIR,
    CatalogueEditRow,
    DecisionRow,
    DocumentRow,
    EventRow,
    JudgementRow,
    ProposalRow,
    SuggestionRow,
    UserRow,
)
from classifier.store.tx import StoreTx

log = logging.getLogger(__name__)
T = TypeVar("T")

#: Seconds a writer waits for another writer's lock on SQLite before failing.
SQLITE_BUSY_TIMEOUT_S = 10.0


def _latest(model: Any) -> Any:
    """Subquery: the newest row id of ``model`` per document."""
    return (select(model.document_id, func.max(model.id).label("last_id"))
            .group_by(model.document_id).subquery())


def _sqlite_pragmas(busy_timeout_s: float) -> Callable[[Any, Any], None]:
    """The ``connect`` hook: WAL, foreign keys, busy timeout (seconds); and let SQLAlchemy
    emit BEGIN itself."""

    def on_connect(dbapi_connection: Any, connection_record: Any) -> None:
        dbapi_connection.isolation_level = None  # pysqlite would otherwise BEGIN lazily
        cur = dbapi_connection.cursor()
        cur.execute(f"PRAGMA busy_timeout={max(0, int(busy_timeout_s * 1000))}")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    return on_connect


#: SQLite's messages of a lock held by another connection past the busy timeout.
_BUSY_MESSAGES = ("database is locked", "database table is locked", "database is busy")


def _database_errors(context: ExceptionContext) -> None:
    """The ``handle_error`` hook: a lock or a lost connection becomes a coded Chinese error.

    Every statement of dingmi passes here, so the app and the CLI show ``[database_busy]`` or
    ``[database_unavailable]`` (never SQLAlchemy's text, which quotes SQL and server paths);
    the SQLAlchemy error stays in ``__cause__`` for the log. Source: issue 11 (§9).
    """
    original = str(context.original_exception).lower()
    if any(m in original for m in _BUSY_MESSAGES):
        raise DatabaseBusyError(
            "数据库正被其他程序占用（已锁定），本次操作未执行，请稍后重试"
        ) from context.sqlalchemy_exception
    if "file is not a database" in original or "file is encrypted" in original:
        raise DatabaseKeyError(
            "数据库文件无法读取：加密密钥不符或未提供（DINGMI_DATABASE_KEY_FILE），"
            "或该文件不是 dingmi 的数据库"
        ) from context.sqlalchemy_exception
    if context.is_disconnect:
        raise DatabaseUnavailableError(
            "与数据库的连接已中断，本次操作未执行，请稍后重试；如反复出现，请联系系统管理员"
        ) from context.sqlalchemy_exception


def _sqlite_begin(conn: Any) -> None:
    """Writers take the write lock at BEGIN, so two writers serialise instead of deadlocking."""
    write = conn.get_execution_options().get("dingmi_write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


#: The SQLite database file of a data home, and the files SQLite keeps beside it.
DB_FILES = ("dingmi.sqlite3", "dingmi.sqlite3-wal", "dingmi.sqlite3-shm")


def protect_home(home: Path) -> None:
    """The data home 0700 and its database files 0600, created so before any byte is written.

    The documents are state secrets: no other account on the server may read the database
    (SQLite creates its ``-wal`` and ``-shm`` files with the database file's mode).
    Source: issue 11 (§8 data at rest).
    """
    home.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(home, 0o700)
    db = home / DB_FILES[0]
    if not db.exists():
        os.close(os.open(db, os.O_CREAT | os.O_WRONLY, 0o600))
    for name in DB_FILES:
        if (home / name).exists():
            os.chmod(home / name, 0o600)


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
            protect_home(Path(settings.home))
        return cls.from_url(settings.db_url, store_originals=settings.store_originals,
                            busy_timeout_s=settings.busy_timeout_s)

    @classmethod
    def from_url(cls, url: str, *, store_originals: bool = False,
                 busy_timeout_s: float = SQLITE_BUSY_TIMEOUT_S) -> Store:
        """Open the database at a SQLAlchemy URL and migrate it to head.

        ``busy_timeout_s``: how long a SQLite writer waits for another connection's lock
        before :class:`~classifier.errors.DatabaseBusyError` (seconds).
        """
        db_engine = create_engine(url, future=True)
        event.listen(db_engine, "handle_error", _database_errors)
        if db_engine.dialect.name == "sqlite":
            event.listen(db_engine, "connect", _sqlite_pragmas(busy_timeout_s))
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
            return [read_model(User, r) for r in s.scalars(q)]

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
            return read_model(User, row)

    def account(self, name: str) -> tuple[User, str | None] | None:
        """The user of this name (active or not) and its password hash, or None."""
        with self._read() as s:
            return StoreTx(s).account(name)

    def account_by_id(self, user_id: int) -> User:
        """The user (active or not), or :class:`UnknownUserError`."""
        with self._read() as s:
            return StoreTx(s).account_by_id(user_id)[0]

    def session_by_token(self, token_hash: str) -> LoginSession | None:
        """The login session of this token hash, if any."""
        with self._read() as s:
            return StoreTx(s).session_by_token(token_hash)

    def chain(self) -> list[Event]:
        """Every audit event with its hashes, by id (for :func:`classifier.store.chain.walk_chain`)."""
        return self._history(EventRow, Event, None)

    def all_documents(self) -> list[Document]:
        """Every document as stored, by id (to check each against its events)."""
        with self._read() as s:
            return [document_of(r) for r in s.scalars(select(DocumentRow).order_by(DocumentRow.id))]

    def document(self, document_id: int) -> Document:
        """One document, or :class:`classifier.errors.NotFoundError`."""
        with self._read() as s:
            row = s.get(DocumentRow, document_id)
            if row is None:
                raise NotFoundError(f"文件记录 {document_id} 不存在")
            has = s.scalar(
                select(DocumentRow.original.is_not(None)).where(DocumentRow.id == document_id)
            )
            return document_of(row, has_original=bool(has))

    def document_by_sha256(self, sha256: str) -> Document | None:
        """The document with these bytes, if already uploaded."""
        with self._read() as s:
            return StoreTx(s).document_by_sha256(sha256)

    def original(self, document_id: int) -> bytes | None:
        """The uploaded bytes, when they were kept."""
        with self._read() as s:
            return s.scalar(select(DocumentRow.original).where(DocumentRow.id == document_id))

    def latest_suggestion(self, document_id: int) -> StoredSuggestion | None:
        """The newest suggestion for a document."""
        with self._read() as s:
            return StoreTx(s).latest_suggestion(document_id)

    def proposals(self, document_id: int) -> list[Proposal]:
        """Every proposal for a document, oldest first."""
        with self._read() as s:
            q = select(ProposalRow).where(ProposalRow.document_id == document_id)
            return [read_model(Proposal, r) for r in s.scalars(q.order_by(ProposalRow.id))]

    def decisions(self, document_id: int | None = None) -> list[Decision]:
        """Decisions (of one document, or all), oldest first."""
        return self._history(DecisionRow, Decision, document_id)

    def judgements(self, document_id: int | None = None) -> list[Judgement]:
        """Reviewers' first judgements on blind drafts (of one document, or all), oldest first."""
        return self._history(JudgementRow, Judgement, document_id)

    def catalogue_edits(self) -> list[CatalogueEdit]:
        """Every answer to a proposed catalogue edit, oldest first."""
        with self._read() as s:
            q = select(CatalogueEditRow).order_by(CatalogueEditRow.id)
            return [read_model(CatalogueEdit, r) for r in s.scalars(q)]

    def events(self, document_id: int | None = None) -> list[Event]:
        """The audit log (of one document, or all), oldest first."""
        return self._history(EventRow, Event, document_id)

    def _history(self, table: Any, model: type[T], document_id: int | None) -> list[T]:
        """Rows of an append-only ``table`` (of one document, or all) as ``model``, oldest first."""
        with self._read() as s:
            q = select(table).order_by(table.id)
            if document_id is not None:
                q = q.where(table.document_id == document_id)
            return [read_model(model, r) for r in s.scalars(q)]

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
        last_s, last_p, last_d = _latest(SuggestionRow), _latest(ProposalRow), _latest(DecisionRow)
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
                        issued_on=d.issued_on, period_ends_on=d.period_ends_on,
                        register_number=d.register_number, declassify_to=d.declassify_to,
                        declassified_on=d.declassified_on, blind=bool(d.blind),
                    )
                )
        return out

    def settled_index(self, statuses: Sequence[str]) -> list[tuple[int, str, str | None, str]]:
        """``(id, level, clause, filename)`` of the documents in ``statuses`` with a level, by
        id: no text, so that the consistency monitor sees cheaply what changed (issue 14 §4).

        Parameters
        ----------
        statuses : sequence of str
            The final statuses (:data:`classifier.workflow.states.FINAL_STATUSES`).
        """
        q = (select(DocumentRow.id, DocumentRow.level, DocumentRow.clause, DocumentRow.filename)
             .where(DocumentRow.status.in_(list(statuses)), DocumentRow.level.is_not(None))
             .order_by(DocumentRow.id))
        with self._read() as s:
            return [(int(r[0]), str(r[1]), r[2], str(r[3])) for r in s.execute(q)]

    def final_documents(self, statuses: Sequence[str]) -> list[FinalDocument]:
        """Documents in one of ``statuses`` with a level, with their latest decision and suggestion.

        Parameters
        ----------
        statuses : sequence of str
            The final statuses (:data:`classifier.workflow.states.FINAL_STATUSES`).

        Returns
        -------
        list of FinalDocument
            By document id.
        """
        last_s, last_d = _latest(SuggestionRow), _latest(DecisionRow)
        q = (
            select(DocumentRow.id, DocumentRow.text, DocumentRow.level, DocumentRow.clause,
                   DocumentRow.status, DocumentRow.sha256, DocumentRow.updated_at,
                   DecisionRow.created_at, DecisionRow.passages, SuggestionRow.level,
                   SuggestionRow.clause, SuggestionRow.model_version)
            .outerjoin(last_s, last_s.c.document_id == DocumentRow.id)
            .outerjoin(SuggestionRow, SuggestionRow.id == last_s.c.last_id)
            .outerjoin(last_d, last_d.c.document_id == DocumentRow.id)
            .outerjoin(DecisionRow, DecisionRow.id == last_d.c.last_id)
            .where(DocumentRow.status.in_(list(statuses)), DocumentRow.level.is_not(None))
            .order_by(DocumentRow.id)
        )
        with self._read() as s:
            rows = s.execute(q).all()
            codes = self._reason_codes(s, [r[0] for r in rows], {r[0]: (r[2], r[3]) for r in rows})
        return [FinalDocument(id=r[0], text=r[1], level=str(r[2]), clause=r[3], status=r[4],
                              sha256=r[5], updated_at=r[6], decided_at=r[7], passages=r[8],
                              suggested_level=r[9], suggested_clause=r[10], model_version=r[11],
                              reason_codes=codes.get(r[0], ()))
                for r in rows]

    @staticmethod
    def _reason_codes(s: Session, ids: Sequence[int],
                      final: dict[int, tuple[str | None, str | None]]
                      ) -> dict[int, tuple[str, ...]]:
        """The reason codes behind each document's classification (see
        :class:`FinalDocument`): its decisions' codes; without any, its latest proposal's
        when the final level and clause are the proposal's."""
        out: dict[int, dict[str, None]] = {}
        if not ids:
            return {}
        wanted = set(ids)  # no IN (…): a register holds more documents than SQLite's variables
        q = (select(DecisionRow.document_id, DecisionRow.reason_codes, DecisionRow.reason_code)
             .where(DecisionRow.reason_code.is_not(None)).order_by(DecisionRow.id))
        for doc_id, many, one in s.execute(q):
            if doc_id not in wanted:
                continue
            for c in [*(many or ()), *([one] if one and not many else [])]:
                out.setdefault(doc_id, {})[c] = None
        last_p = _latest(ProposalRow)
        q2 = (select(ProposalRow.document_id, ProposalRow.reason_codes, ProposalRow.level,
                     ProposalRow.clause)
              .join(last_p, last_p.c.last_id == ProposalRow.id))
        for doc_id, many, level, clause in s.execute(q2):
            if (many and doc_id in wanted and doc_id not in out
                    and final.get(doc_id) == (level, clause)):
                for c in many:
                    out.setdefault(doc_id, {})[c] = None
        return {k: tuple(v) for k, v in out.items()}
