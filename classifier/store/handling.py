"""Tables and reads of the handling of classified documents (issue 13; migration 0005).

- ``register_lines``: one line per document received (收文), sent (发文) or produced and
  passed round inside (内部), numbered per direction and year (``收2026-0001``), with the
  issuing office and their number, the recipient, level, period, kind and copies; its status
  (open → closed 销号 when every copy is back → archived, sent back 清退 or destroyed).
- ``register_copies``: every copy (份号) with its one holder at a time.
- ``copy_transfers``: each hand-over between two named people, append-only.
- ``circulations``: the circulation sheet (传阅单) of a copy: readers in order, out and back.
- ``loans``: borrowing (借阅): request, approval, lending, return.
- ``disposals``: 归档, 清退, 销毁 (with two witnesses and the backups that still held it).
- ``derived_sources``: the registered secrets a decision derived its level from (派生定密).
- ``release_evidence`` and ``release_reviews``: the public documents that fulfilled an open
  declassification condition, and what a person did with the proposal.

The append-only tables refuse UPDATE and DELETE in the ORM (and by trigger in the migration).
Nothing outside :mod:`classifier.store` imports SQLAlchemy.

Source: the office's regulation, section 八; issue 13 (§1–7).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
    event,
    func,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from classifier.errors import NotFoundError, StoreError
from classifier.store.models import document_of, read_model
from classifier.store.schema import Base, DocumentRow, utcnow
from classifier.store.store import Store
from classifier.store.tx import StoreTx

# --- Tables ----------------------------------------------------------------------------------


class RegisterLineRow(Base):
    """A registered classified document (收文, 发文 or 内部), numbered."""

    __tablename__ = "register_lines"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    direction: Mapped[str] = mapped_column(String(10))
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"), index=True)
    title: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(40))
    issuer: Mapped[str] = mapped_column(String(200), default="")
    issuer_number: Mapped[str] = mapped_column(String(100), default="")
    recipient: Mapped[str] = mapped_column(String(200), default="")
    level: Mapped[str] = mapped_column(String(10))
    period_years: Mapped[int | None]
    condition: Mapped[str | None] = mapped_column(String(200))
    copies: Mapped[int]
    dated: Mapped[date | None]
    return_by: Mapped[date | None]
    registered_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    registered_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20), index=True)
    closed_at: Mapped[datetime | None]
    note: Mapped[str] = mapped_column(Text, default="")


class CopyRow(Base):
    """One copy (份号) of a registered document and its one holder."""

    __tablename__ = "register_copies"
    id: Mapped[int] = mapped_column(primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("register_lines.id"), index=True)
    copy_no: Mapped[int]
    original: Mapped[bool] = mapped_column(default=True)
    holder: Mapped[str] = mapped_column(String(100))
    holding_for: Mapped[str | None] = mapped_column(String(100))
    since: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(20), default="office")

    __table_args__ = (UniqueConstraint("line_id", "copy_no"),)


class TransferRow(Base):
    """A hand-over of a copy between two named people (append-only)."""

    __tablename__ = "copy_transfers"
    id: Mapped[int] = mapped_column(primary_key=True)
    copy_id: Mapped[int] = mapped_column(ForeignKey("register_copies.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    from_holder: Mapped[str] = mapped_column(String(100))
    to_holder: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime]
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text, default="")


class CirculationRow(Base):
    """A circulation sheet (传阅单): readers in order, when the copy went out and came back."""

    __tablename__ = "circulations"
    id: Mapped[int] = mapped_column(primary_key=True)
    copy_id: Mapped[int] = mapped_column(ForeignKey("register_copies.id"), index=True)
    readers: Mapped[list[str]] = mapped_column(JSON)
    position: Mapped[int] = mapped_column(default=0)
    out_at: Mapped[datetime]
    due_at: Mapped[datetime]
    back_at: Mapped[datetime | None]
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))


class LoanRow(Base):
    """A loan (借阅): request, the approver's answer, lending and return."""

    __tablename__ = "loans"
    id: Mapped[int] = mapped_column(primary_key=True)
    copy_id: Mapped[int] = mapped_column(ForeignKey("register_copies.id"), index=True)
    borrower: Mapped[str] = mapped_column(String(100))
    unit: Mapped[str | None] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date]
    approver: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), index=True)
    requested_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime]
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    lent_at: Mapped[datetime | None]
    returned_at: Mapped[datetime | None]


class DisposalRow(Base):
    """归档, 清退 or 销毁 of a register line (append-only)."""

    __tablename__ = "disposals"
    id: Mapped[int] = mapped_column(primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("register_lines.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime]
    witnesses: Mapped[list[str]] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(Text, default="")
    text_sha256: Mapped[str | None] = mapped_column(String(64))
    backups: Mapped[list[str]] = mapped_column(JSON)


class DerivedSourceRow(Base):
    """A registered secret a document's classification derives from (append-only)."""

    __tablename__ = "derived_sources"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    source_document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    reasons: Mapped[list[str]] = mapped_column(JSON)
    passages: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    mark: Mapped[str] = mapped_column(String(50))
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]


class ReleaseEvidenceRow(Base):
    """A public document fulfilling one target of a record's condition (append-only)."""

    __tablename__ = "release_evidence"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    target_key: Mapped[str] = mapped_column(String(300))
    public_document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    title: Mapped[str] = mapped_column(String(255))
    form: Mapped[str] = mapped_column(String(20))
    start: Mapped[int]
    end: Mapped[int]
    quote: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class ReleaseReviewRow(Base):
    """What a person did with a proposal to release a record (append-only)."""

    __tablename__ = "release_reviews"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(20))
    evidence_documents: Mapped[list[int]] = mapped_column(JSON)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]


#: Tables whose rows are never changed or deleted (triggers in migration 0005 stand behind).
HANDLING_APPEND_ONLY = ("copy_transfers", "disposals", "derived_sources", "release_evidence",
                        "release_reviews")


@event.listens_for(TransferRow, "before_update")
@event.listens_for(DisposalRow, "before_update")
@event.listens_for(DerivedSourceRow, "before_update")
@event.listens_for(ReleaseEvidenceRow, "before_update")
@event.listens_for(ReleaseReviewRow, "before_update")
@event.listens_for(TransferRow, "before_delete")
@event.listens_for(DisposalRow, "before_delete")
@event.listens_for(DerivedSourceRow, "before_delete")
@event.listens_for(ReleaseEvidenceRow, "before_delete")
@event.listens_for(ReleaseReviewRow, "before_delete")
def _refuse_change(mapper: Any, connection: Any, target: Any) -> None:
    """Append-only tables: history is never rewritten."""
    raise StoreError(f"{target.__tablename__} 只能追加，不能修改或删除历史记录")


# --- Read models -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterLine:
    """One line of the register of classified documents (see ``register_lines``)."""

    id: int
    number: str
    direction: str
    document_id: int | None
    title: str
    kind: str
    issuer: str
    issuer_number: str
    recipient: str
    level: str
    period_years: int | None
    condition: str | None
    copies: int
    dated: date | None
    return_by: date | None
    registered_by: int
    registered_at: datetime
    status: str
    closed_at: datetime | None
    note: str


@dataclass(frozen=True)
class Copy:
    """A copy (份号) and where it is: ``state`` office, reader, circulating, lent, sent, gone."""

    id: int
    line_id: int
    copy_no: int
    original: bool
    holder: str
    holding_for: str | None
    since: datetime
    state: str


@dataclass(frozen=True)
class Transfer:
    """One hand-over of a copy."""

    id: int
    copy_id: int
    kind: str
    from_holder: str
    to_holder: str
    at: datetime
    actor_id: int
    note: str


@dataclass(frozen=True)
class Circulation:
    """A circulation sheet (传阅单); ``position`` indexes the reader holding the copy now."""

    id: int
    copy_id: int
    readers: list[str]
    position: int
    out_at: datetime
    due_at: datetime
    back_at: datetime | None
    created_by: int


@dataclass(frozen=True)
class Loan:
    """A loan; ``approver`` is ``director`` or ``head``; ``status`` requested, approved,
    refused, lent or returned."""

    id: int
    copy_id: int
    borrower: str
    unit: str | None
    purpose: str
    due_on: date
    approver: str
    status: str
    requested_by: int
    requested_at: datetime
    decided_by: int | None
    decided_at: datetime | None
    decision_reason: str
    lent_at: datetime | None
    returned_at: datetime | None


@dataclass(frozen=True)
class Disposal:
    """归档 (archive), 清退 (send_back) or 销毁 (destroy) of a line."""

    id: int
    line_id: int
    action: str
    actor_id: int
    at: datetime
    witnesses: list[str]
    note: str
    text_sha256: str | None
    backups: list[str]


@dataclass(frozen=True)
class DerivedSource:
    """A recorded source of a derived classification."""

    id: int
    document_id: int
    source_document_id: int
    reasons: list[str]
    passages: list[dict[str, Any]]
    mark: str
    actor_id: int
    created_at: datetime


@dataclass(frozen=True)
class ReleaseEvidenceRecord:
    """A stored fulfilment of one target of a record's condition."""

    id: int
    document_id: int
    target_key: str
    public_document_id: int
    title: str
    form: str
    start: int
    end: int
    quote: str
    created_at: datetime


@dataclass(frozen=True)
class ReleaseReview:
    """A person's answer to a release proposal (``outcome``: accepted or dismissed)."""

    id: int
    document_id: int
    outcome: str
    evidence_documents: list[int]
    actor_id: int
    reason: str
    created_at: datetime


# --- Writes ----------------------------------------------------------------------------------


class HandlingTx:
    """The handling writes of one :class:`~classifier.store.StoreTx` (same transaction).

    Parameters
    ----------
    tx : StoreTx
        From :meth:`Store.transaction`; the audit events go through ``tx.add_event``.
    """

    def __init__(self, tx: StoreTx) -> None:
        self.tx = tx
        self._s: Session = tx._s

    def next_number(self, prefix: str, year: int) -> str:
        """The next register number of a direction and year (``收2026-0001``): never reused."""
        stem = f"{prefix}{year}-"
        last = self._s.scalar(select(func.max(RegisterLineRow.number))
                              .where(RegisterLineRow.number.like(f"{stem}%")))
        seq = int(last[len(stem):]) + 1 if last else 1
        return f"{stem}{seq:04d}"

    def number_taken(self, number: str) -> bool:
        """True when a line already carries this number."""
        return self._s.scalar(select(RegisterLineRow.id)
                              .where(RegisterLineRow.number == number)) is not None

    def add_line(self, **fields: Any) -> RegisterLine:
        """Insert a register line."""
        row = RegisterLineRow(**fields)
        self._s.add(row)
        self._s.flush()
        return read_model(RegisterLine, row)

    def line(self, line_id: int) -> RegisterLine:
        """A line as it is now in this transaction, or :class:`NotFoundError`."""
        row = self._s.get(RegisterLineRow, line_id, populate_existing=True)
        if row is None:
            raise NotFoundError(f"登记记录 {line_id} 不存在")
        return read_model(RegisterLine, row)

    def update_line(self, line_id: int, **fields: Any) -> RegisterLine:
        """Change a line's status fields."""
        row = self._s.get(RegisterLineRow, line_id)
        if row is None:
            raise NotFoundError(f"登记记录 {line_id} 不存在")
        for k, v in fields.items():
            setattr(row, k, v)
        self._s.flush()
        return read_model(RegisterLine, row)

    def add_copy(self, **fields: Any) -> Copy:
        """Insert a copy."""
        row = CopyRow(**fields)
        self._s.add(row)
        self._s.flush()
        return read_model(Copy, row)

    def copy(self, copy_id: int) -> Copy:
        """A copy as it is now (row locked on PostgreSQL), or :class:`NotFoundError`."""
        row = self._s.get(CopyRow, copy_id, populate_existing=True, with_for_update=True)
        if row is None:
            raise NotFoundError(f"份号记录 {copy_id} 不存在")
        return read_model(Copy, row)

    def copies(self, line_id: int) -> list[Copy]:
        """The copies of a line, by 份号."""
        q = select(CopyRow).where(CopyRow.line_id == line_id).order_by(CopyRow.copy_no)
        return [read_model(Copy, r) for r in self._s.scalars(q)]

    def copies_held_by(self, holder: str) -> list[Copy]:
        """The copies a person holds now (for a stand-in)."""
        q = select(CopyRow).where(CopyRow.holder == holder).order_by(CopyRow.id)
        return [read_model(Copy, r) for r in self._s.scalars(q)]

    def move_copy(self, copy_id: int, *, kind: str, from_holder: str, to_holder: str,
                  actor_id: int, state: str, at: datetime, holding_for: str | None = None,
                  note: str = "") -> Copy:
        """Hand a copy to ``to_holder`` at ``at`` and record the hand-over."""
        row = self._s.get(CopyRow, copy_id)
        if row is None:
            raise NotFoundError(f"份号记录 {copy_id} 不存在")
        now = at
        row.holder, row.holding_for, row.since, row.state = to_holder, holding_for, now, state
        self._s.add(TransferRow(copy_id=copy_id, kind=kind, from_holder=from_holder,
                                to_holder=to_holder, at=now, actor_id=actor_id, note=note))
        self._s.flush()
        return read_model(Copy, row)

    def add_circulation(self, **fields: Any) -> Circulation:
        """Insert a circulation sheet."""
        row = CirculationRow(**fields)
        self._s.add(row)
        self._s.flush()
        return read_model(Circulation, row)

    def circulation(self, circulation_id: int) -> Circulation:
        """A circulation sheet, or :class:`NotFoundError`."""
        row = self._s.get(CirculationRow, circulation_id, populate_existing=True)
        if row is None:
            raise NotFoundError(f"传阅单 {circulation_id} 不存在")
        return read_model(Circulation, row)

    def update_circulation(self, circulation_id: int, **fields: Any) -> Circulation:
        """Advance or close a circulation sheet."""
        row = self._s.get(CirculationRow, circulation_id)
        if row is None:
            raise NotFoundError(f"传阅单 {circulation_id} 不存在")
        for k, v in fields.items():
            setattr(row, k, v)
        self._s.flush()
        return read_model(Circulation, row)

    def open_circulation(self, copy_id: int) -> Circulation | None:
        """The copy's circulation not yet back, if any."""
        row = self._s.scalar(select(CirculationRow).where(CirculationRow.copy_id == copy_id,
                                                          CirculationRow.back_at.is_(None)))
        return None if row is None else read_model(Circulation, row)

    def add_loan(self, **fields: Any) -> Loan:
        """Insert a loan request."""
        row = LoanRow(**fields)
        self._s.add(row)
        self._s.flush()
        return read_model(Loan, row)

    def loan(self, loan_id: int) -> Loan:
        """A loan, or :class:`NotFoundError`."""
        row = self._s.get(LoanRow, loan_id, populate_existing=True)
        if row is None:
            raise NotFoundError(f"借阅记录 {loan_id} 不存在")
        return read_model(Loan, row)

    def update_loan(self, loan_id: int, **fields: Any) -> Loan:
        """Record an answer, the lending or the return of a loan."""
        row = self._s.get(LoanRow, loan_id)
        if row is None:
            raise NotFoundError(f"借阅记录 {loan_id} 不存在")
        for k, v in fields.items():
            setattr(row, k, v)
        self._s.flush()
        return read_model(Loan, row)

    def add_disposal(self, **fields: Any) -> Disposal:
        """Record 归档, 清退 or 销毁."""
        row = DisposalRow(**fields)
        self._s.add(row)
        self._s.flush()
        return read_model(Disposal, row)

    def erase_document(self, document_id: int) -> tuple[str, int]:
        """Erase a document's text and stored original (the row, its hashes and decisions stay).

        Returns
        -------
        (str, int)
            The filename and the document's new version (the erasure is a change of the row,
            recorded with its version by the caller's audit event).
        """
        row = self._s.get(DocumentRow, document_id, populate_existing=True)
        if row is None:
            raise NotFoundError(f"文件记录 {document_id} 不存在")
        row.text = ""
        row.original = None
        row.updated_at = utcnow()
        self._s.flush()
        return row.filename, row.version

    def add_derived_source(self, **fields: Any) -> DerivedSource:
        """Record a source of a derived classification."""
        row = DerivedSourceRow(created_at=utcnow(), **fields)
        self._s.add(row)
        self._s.flush()
        return read_model(DerivedSource, row)

    def add_release_evidence(self, **fields: Any) -> ReleaseEvidenceRecord:
        """Store one fulfilment of a condition's target."""
        row = ReleaseEvidenceRow(created_at=utcnow(), **fields)
        self._s.add(row)
        self._s.flush()
        return read_model(ReleaseEvidenceRecord, row)

    def add_release_review(self, **fields: Any) -> ReleaseReview:
        """Store a person's answer to a release proposal."""
        row = ReleaseReviewRow(created_at=utcnow(), **fields)
        self._s.add(row)
        self._s.flush()
        return read_model(ReleaseReview, row)

    def close_line_if_all_back(self, line_id: int, at: datetime) -> bool:
        """Close (销号) at ``at`` an open line whose copies are all back; True if closed."""
        row = self._s.get(RegisterLineRow, line_id)
        if row is None or row.status != "open":
            return False
        out = self._s.scalar(select(func.count()).select_from(CopyRow).where(
            CopyRow.line_id == line_id, CopyRow.state != "office"))
        if out:
            return False
        self._s.execute(update(RegisterLineRow).where(RegisterLineRow.id == line_id)
                        .values(status="closed", closed_at=at))
        return True


# --- Reads -----------------------------------------------------------------------------------


class HandlingStore:
    """Reads of the handling tables over a :class:`~classifier.store.Store`."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def _all(self, model: type[Any], row: type[Any], *where: Any, order: Any = None) -> list[Any]:
        with Session(self.store.db_engine) as s:
            q = select(row).where(*where).order_by(order if order is not None else row.id)
            return [read_model(model, r) for r in s.scalars(q)]

    def lines(self, *, statuses: list[str] | None = None) -> list[RegisterLine]:
        """Register lines, newest first."""
        where = [RegisterLineRow.status.in_(statuses)] if statuses else []
        return self._all(RegisterLine, RegisterLineRow, *where,
                         order=RegisterLineRow.id.desc())

    def line(self, line_id: int) -> RegisterLine:
        """One line, or :class:`NotFoundError`."""
        with Session(self.store.db_engine) as s:
            return HandlingTx(StoreTx(s)).line(line_id)

    def lines_of_document(self, document_id: int) -> list[RegisterLine]:
        """The register lines of a stored document."""
        return self._all(RegisterLine, RegisterLineRow,
                         RegisterLineRow.document_id == document_id)

    def copies(self, line_id: int | None = None) -> list[Copy]:
        """Copies (of one line, or all), by line and 份号."""
        where = [CopyRow.line_id == line_id] if line_id is not None else []
        with Session(self.store.db_engine) as s:
            q = select(CopyRow).where(*where).order_by(CopyRow.line_id, CopyRow.copy_no)
            return [read_model(Copy, r) for r in s.scalars(q)]

    def copy(self, copy_id: int) -> Copy:
        """One copy, or :class:`NotFoundError`."""
        with Session(self.store.db_engine) as s:
            row = s.get(CopyRow, copy_id)
            if row is None:
                raise NotFoundError(f"份号记录 {copy_id} 不存在")
            return read_model(Copy, row)

    def transfers(self, copy_id: int | None = None) -> list[Transfer]:
        """Hand-overs (of one copy, or all), oldest first."""
        where = [TransferRow.copy_id == copy_id] if copy_id is not None else []
        return self._all(Transfer, TransferRow, *where)

    def circulations(self, *, open_only: bool = False) -> list[Circulation]:
        """Circulation sheets, oldest first."""
        where = [CirculationRow.back_at.is_(None)] if open_only else []
        return self._all(Circulation, CirculationRow, *where)

    def loans(self, *, statuses: list[str] | None = None) -> list[Loan]:
        """Loans, oldest first."""
        where = [LoanRow.status.in_(statuses)] if statuses else []
        return self._all(Loan, LoanRow, *where)

    def loan(self, loan_id: int) -> Loan:
        """One loan, or :class:`NotFoundError`."""
        with Session(self.store.db_engine) as s:
            return HandlingTx(StoreTx(s)).loan(loan_id)

    def disposals(self, line_id: int | None = None) -> list[Disposal]:
        """Disposals (of one line, or all), oldest first."""
        where = [DisposalRow.line_id == line_id] if line_id is not None else []
        return self._all(Disposal, DisposalRow, *where)

    def destroyed_text_hashes(self) -> set[str]:
        """The sha256 of the text of every destroyed document (never trained on again)."""
        with Session(self.store.db_engine) as s:
            q = select(DisposalRow.text_sha256).where(DisposalRow.action == "destroy",
                                                      DisposalRow.text_sha256.is_not(None))
            return {h for h in s.scalars(q) if h}

    def derived_sources(self, document_id: int) -> list[DerivedSource]:
        """The recorded sources of a document's derived classification."""
        return self._all(DerivedSource, DerivedSourceRow,
                         DerivedSourceRow.document_id == document_id)

    def release_evidence(self, document_id: int | None = None) -> list[ReleaseEvidenceRecord]:
        """Stored fulfilments (of one record, or all), oldest first."""
        where = ([ReleaseEvidenceRow.document_id == document_id]
                 if document_id is not None else [])
        return self._all(ReleaseEvidenceRecord, ReleaseEvidenceRow, *where)

    def release_reviews(self, document_id: int | None = None) -> list[ReleaseReview]:
        """People's answers to release proposals, oldest first."""
        where = [ReleaseReviewRow.document_id == document_id] if document_id is not None else []
        return self._all(ReleaseReview, ReleaseReviewRow, *where)

    def documents(self, ids: list[int]) -> dict[int, Any]:
        """Stored documents by id (:class:`classifier.store.Document`)."""
        if not ids:
            return {}
        with Session(self.store.db_engine) as s:
            q = select(DocumentRow).where(DocumentRow.id.in_(ids))
            return {r.id: document_of(r) for r in s.scalars(q)}


def backups_holding(dirs: tuple[str, ...], sha256: str, before: datetime) -> list[str]:
    """Backup files under ``dirs`` that may still hold a document's text.

    Parameters
    ----------
    dirs : tuple of str
        Backup folders (:attr:`classifier.handling.policy.HandlingPolicy.backup_dirs`).
    sha256 : str
        The document's ``documents.sha256``.
    before : datetime
        The time of the destruction (aware).

    Returns
    -------
    list of str
        A SQLite backup (``*.sqlite3``, ``*.db``) is opened read-only and listed when its
        ``documents`` row of that sha256 still has text; any other file (a ``pg_dump``, an
        archive) made before ``before`` is listed as possibly holding it. Sorted paths.
    """
    out = []
    for d in dirs:
        root = Path(d)
        if not root.is_dir():
            continue
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            if path.suffix in (".sqlite3", ".db", ".sqlite"):
                try:
                    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
                    try:
                        row = con.execute("SELECT length(text) FROM documents WHERE sha256 = ?",
                                          (sha256,)).fetchone()
                    finally:
                        con.close()
                except sqlite3.Error:
                    row = (1,)  # unreadable: it may hold it
                if row and row[0]:
                    out.append(str(path))
            elif path.stat().st_mtime < before.timestamp():
                out.append(str(path))
    return out
