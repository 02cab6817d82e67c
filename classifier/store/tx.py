"""One write transaction: :class:`StoreTx`, obtained from :meth:`Store.transaction`.

Source: issue 3 (§3: one transaction per workflow action).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from classifier.errors import NotFoundError, StaleVersionError, UnknownUserError, UserExistsError
from classifier.store.chain import GENESIS, event_hash
from classifier.store.models import (
    ApiToken,
    CatalogueEdit,
    Decision,
    Document,
    Event,
    Judgement,
    LoginSession,
    Proposal,
    StoredSuggestion,
    User,
    document_of,
    read_model,
)
from classifier.store.schema import (
    ApiTokenRow,
    CatalogueEditRow,
    DecisionRow,
    DocumentRow,
    EventRow,
    JudgementRow,
    ProposalRow,
    SessionRow,
    SuggestionRow,
    UserRow,
    utcnow,
)

#: PostgreSQL advisory lock key held while an event is chained (writers take turns).
_CHAIN_LOCK = 0x64696E67
#: PostgreSQL advisory lock key held while a register number is allocated.
_REGISTER_LOCK = 0x64696E68


class StoreTx:
    """The writes (and reads) of one transaction; obtained from :meth:`Store.transaction`."""

    def __init__(self, session: Session) -> None:
        self._s = session

    def user(self, user_id: int) -> User:
        """Return an active user, or raise :class:`UnknownUserError`."""
        row = self._s.get(UserRow, user_id)
        if row is None or not row.active:
            raise UnknownUserError(f"用户 {user_id} 不存在或已停用")
        return read_model(User, row)

    def add_user(self, name: str, role: str, *, password_hash: str | None = None,
                 must_change_password: bool = False) -> User:
        """Insert a user; :class:`UserExistsError` if the name is taken."""
        if self._s.scalar(select(UserRow.id).where(UserRow.name == name)) is not None:
            raise UserExistsError(f"用户“{name}”已存在")
        row = UserRow(name=name, role=role, active=True, created_at=utcnow(),
                      password_hash=password_hash, must_change_password=must_change_password,
                      failed_logins=0,
                      password_changed_at=utcnow() if password_hash else None)
        self._s.add(row)
        self._s.flush()
        return read_model(User, row)

    def account(self, name: str) -> tuple[User, str | None] | None:
        """The user of this name (active or not) and its password hash."""
        row = self._s.scalar(select(UserRow).where(UserRow.name == name))
        return None if row is None else (read_model(User, row), row.password_hash)

    def account_by_id(self, user_id: int) -> tuple[User, str | None]:
        """The user (active or not) and its password hash, or :class:`UnknownUserError`."""
        row = self._s.get(UserRow, user_id)
        if row is None:
            raise UnknownUserError(f"用户 {user_id} 不存在")
        return read_model(User, row), row.password_hash

    def update_user(self, user_id: int, **fields: Any) -> User:
        """Change a user's account fields (role, active, password_hash, lockout …)."""
        row = self._s.get(UserRow, user_id)
        if row is None:
            raise UnknownUserError(f"用户 {user_id} 不存在")
        for key, value in fields.items():
            setattr(row, key, value)
        self._s.flush()
        return read_model(User, row)

    def count_users(self, roles: tuple[str, ...]) -> int:
        """How many active users hold one of ``roles``."""
        return len(self._s.scalars(select(UserRow.id).where(
            UserRow.role.in_(roles), UserRow.active.is_(True))).all())

    # --- sessions and personal tokens ---

    def add_session(self, user_id: int, token_hash: str, via: str) -> LoginSession:
        """Start a session (only the token's sha256 is stored)."""
        now = utcnow()
        row = SessionRow(user_id=user_id, token_hash=token_hash, via=via, created_at=now,
                         last_seen_at=now)
        self._s.add(row)
        self._s.flush()
        return read_model(LoginSession, row)

    def session_by_token(self, token_hash: str) -> LoginSession | None:
        """The session of this token hash, if any."""
        row = self._s.scalar(select(SessionRow).where(SessionRow.token_hash == token_hash))
        return None if row is None else read_model(LoginSession, row)

    def update_session(self, session_id: int, **fields: Any) -> None:
        """Touch or end a session."""
        row = self._s.get(SessionRow, session_id)
        if row is not None:
            for key, value in fields.items():
                setattr(row, key, value)
            self._s.flush()

    def add_token(self, user_id: int, name: str, token_hash: str) -> ApiToken:
        """Store a personal token's sha256."""
        row = ApiTokenRow(user_id=user_id, name=name, token_hash=token_hash,
                          created_at=utcnow())
        self._s.add(row)
        self._s.flush()
        return read_model(ApiToken, row)

    def token_by_hash(self, token_hash: str) -> ApiToken | None:
        """The personal token of this hash, if any."""
        row = self._s.scalar(select(ApiTokenRow).where(ApiTokenRow.token_hash == token_hash))
        return None if row is None else read_model(ApiToken, row)

    def tokens(self, user_id: int) -> list[ApiToken]:
        """A user's personal tokens, oldest first."""
        q = select(ApiTokenRow).where(ApiTokenRow.user_id == user_id).order_by(ApiTokenRow.id)
        return [read_model(ApiToken, r) for r in self._s.scalars(q)]

    def update_token(self, token_id: int, **fields: Any) -> None:
        """Record a token's use or revocation."""
        row = self._s.get(ApiTokenRow, token_id)
        if row is None:
            raise NotFoundError(f"令牌 {token_id} 不存在")
        for key, value in fields.items():
            setattr(row, key, value)
        self._s.flush()

    def document(self, document_id: int) -> Document:
        """Return a document as it is now in this transaction, or raise NotFoundError."""
        row = self._s.get(DocumentRow, document_id, populate_existing=True)
        if row is None:
            raise NotFoundError(f"文件记录 {document_id} 不存在")
        return document_of(row)

    def latest_suggestion(self, document_id: int) -> StoredSuggestion | None:
        """The newest suggestion for a document, if any."""
        row = self._latest(SuggestionRow, document_id)
        return None if row is None else read_model(StoredSuggestion, row)

    def latest_proposal(self, document_id: int) -> Proposal | None:
        """The newest proposal for a document, if any."""
        row = self._latest(ProposalRow, document_id)
        return None if row is None else read_model(Proposal, row)

    def _latest(self, table: Any, document_id: int) -> Any:
        """The newest row of ``table`` (an append-only table) for a document, or None."""
        return self._s.scalar(select(table).where(table.document_id == document_id)
                              .order_by(table.id.desc()).limit(1))

    def document_by_sha256(self, sha256: str) -> Document | None:
        """Return the document with these bytes, if any."""
        row = self._s.scalar(select(DocumentRow).where(DocumentRow.sha256 == sha256))
        return None if row is None else document_of(row)

    def add_document(self, **fields: Any) -> Document | None:
        """Insert a document; ``None`` when a row with the same sha256 already exists."""
        now = utcnow()
        row = DocumentRow(uploaded_at=now, updated_at=now, **fields)
        try:
            with self._s.begin_nested():
                self._s.add(row)
        except IntegrityError:
            return None
        return document_of(row, has_original=row.original is not None)

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
        return document_of(row)

    def next_register_seq(self, year: int) -> int:
        """The next register sequence number of ``year`` (1 for the first of the year).

        Called inside the deciding transaction, which then writes it: SQLite writers take the
        write lock at BEGIN; on PostgreSQL an advisory lock is held to the end of the
        transaction, and ``(register_year, register_seq)`` is unique besides. Documents are
        never deleted, so a number is never reused. Source: issue 12, item 4.
        """
        if self._s.get_bind().dialect.name == "postgresql":
            self._s.execute(select(func.pg_advisory_xact_lock(_REGISTER_LOCK)))
        last = self._s.scalar(select(func.max(DocumentRow.register_seq))
                              .where(DocumentRow.register_year == year))
        return int(last or 0) + 1

    def add_suggestion(self, document_id: int, payload: dict[str, Any]) -> StoredSuggestion:
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
        return read_model(StoredSuggestion, row)

    def add_proposal(self, **fields: Any) -> Proposal:
        """Insert a proposal row."""
        row = ProposalRow(created_at=utcnow(), **fields)
        self._s.add(row)
        self._s.flush()
        return read_model(Proposal, row)

    def add_decision(self, **fields: Any) -> Decision:
        """Insert a decision row (``passages``: already checked offsets, or None)."""
        row = DecisionRow(created_at=utcnow(), **fields)
        self._s.add(row)
        self._s.flush()
        return read_model(Decision, row)

    def add_judgement(self, **fields: Any) -> Judgement:
        """Insert a reviewer's first judgement on a blind draft (migration 0006)."""
        row = JudgementRow(created_at=utcnow(), **fields)
        self._s.add(row)
        self._s.flush()
        return read_model(Judgement, row)

    def judgement(self, document_id: int, actor_id: int) -> Judgement | None:
        """The first judgement ``actor_id`` recorded on a document, if any."""
        q = (select(JudgementRow).where(JudgementRow.document_id == document_id,
                                        JudgementRow.actor_id == actor_id)
             .order_by(JudgementRow.id).limit(1))
        row = self._s.scalars(q).first()
        return read_model(Judgement, row) if row is not None else None

    def add_catalogue_edit(self, **fields: Any) -> CatalogueEdit:
        """Insert an administrator's answer to a proposed catalogue edit (migration 0006)."""
        row = CatalogueEditRow(created_at=utcnow(), **fields)
        self._s.add(row)
        self._s.flush()
        return read_model(CatalogueEdit, row)

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
        """Append one line to the audit log, chained to the previous one's hash.

        Writers take turns (SQLite: ``BEGIN IMMEDIATE``; PostgreSQL: an advisory lock held to
        the end of the transaction), and ``prev_hash`` is unique: the chain never forks.
        """
        if self._s.get_bind().dialect.name == "postgresql":
            self._s.execute(select(func.pg_advisory_xact_lock(_CHAIN_LOCK)))
        prev = self._s.scalar(select(EventRow.hash).order_by(EventRow.id.desc()).limit(1))
        fields: dict[str, Any] = dict(
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
        prev_hash = prev or GENESIS
        row = EventRow(**fields, prev_hash=prev_hash, hash=event_hash(prev_hash, **fields))
        self._s.add(row)
        self._s.flush()
        return read_model(Event, row)

