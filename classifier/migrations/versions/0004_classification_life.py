"""The life of a classification: date of issue, period end, register numbers, change and
declassification.

- ``documents``: ``issued_on`` (制发日, the period runs from it), ``period_ends_on``,
  ``register_number`` (unique) with ``register_year`` and ``register_seq`` (unique together:
  sequential per year, never reused), ``declassify_to`` (内部 or 公开 after declassification,
  regulation 五(五)2) and ``declassified_on``.
- ``proposals``: ``kind`` (``classify``; ``change`` or ``declassify`` for a request under
  regulation 五(五)3) and ``from_status`` (the settled status a request started from).
- ``decisions``: ``reason_code`` (the reviewer's coded reason), ``supersedes_id`` (the
  decision a change replaces), ``issued_on``, ``register_number`` and ``declassify_to``.

Existing records are carried over: every settled state secret (confirmed, overridden,
decided) gets the date of its last change as its date of issue, the end of its period, and a
register number in the default pattern, sequential per year in the order they were settled.
The new statuses (referred, change_proposed, change_checked, changed, declassified) need no
column: ``status`` is a string checked by the workflow.

Columns are added with plain ``ALTER TABLE … ADD COLUMN`` (no batch copy), so the
append-only triggers of 0001 stay in place.

Revision ID: 0004
Revises: 0003
Create Date: 2026-02-20

Source: issue 12 (items 4, 5, 6 and 8).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic import op

from classifier.documents.rules import (
    DEFAULT_REGISTER_PATTERN,
    format_register_number,
    period_end,
)

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_SETTLED = ("confirmed", "overridden", "decided")
_SECRET = ("秘密", "机密", "绝密")


def upgrade() -> None:
    op.add_column("documents", sa.Column("issued_on", sa.Date(), nullable=True))
    op.add_column("documents", sa.Column("period_ends_on", sa.Date(), nullable=True))
    op.add_column("documents", sa.Column("register_number", sa.String(60), nullable=True))
    op.add_column("documents", sa.Column("register_year", sa.Integer(), nullable=True))
    op.add_column("documents", sa.Column("register_seq", sa.Integer(), nullable=True))
    op.add_column("documents", sa.Column("declassify_to", sa.String(10), nullable=True))
    op.add_column("documents", sa.Column("declassified_on", sa.Date(), nullable=True))
    op.add_column("proposals", sa.Column("kind", sa.String(20), nullable=False,
                                         server_default="classify"))
    op.add_column("proposals", sa.Column("from_status", sa.String(20), nullable=True))
    op.add_column("decisions", sa.Column("reason_code", sa.String(40), nullable=True))
    op.add_column("decisions", sa.Column("supersedes_id", sa.Integer(), nullable=True))
    op.add_column("decisions", sa.Column("issued_on", sa.Date(), nullable=True))
    op.add_column("decisions", sa.Column("register_number", sa.String(60), nullable=True))
    op.add_column("decisions", sa.Column("declassify_to", sa.String(10), nullable=True))
    _carry_over()
    op.create_index("uq_documents_register_number", "documents", ["register_number"],
                    unique=True)
    op.create_index("ux_documents_register_year_seq", "documents",
                    ["register_year", "register_seq"], unique=True)


def _day(value: object) -> date:
    """A stored timestamp (aware, naive UTC, or SQLite's text) as its UTC date."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(UTC).date()


def _carry_over() -> None:
    """Settled secrets already in the database get a date of issue, a period end and a number."""
    bind = op.get_bind()
    docs = sa.table("documents", *(sa.column(c) for c in (
        "id", "status", "level", "period_years", "updated_at", "issued_on", "period_ends_on",
        "register_number", "register_year", "register_seq")))
    rows = bind.execute(
        sa.select(docs.c.id, docs.c.period_years, docs.c.updated_at)
        .where(docs.c.status.in_(_SETTLED), docs.c.level.in_(_SECRET))
        .order_by(docs.c.updated_at, docs.c.id)).all()
    seq: dict[int, int] = {}
    for r in rows:
        issued = _day(r.updated_at)
        seq[issued.year] = seq.get(issued.year, 0) + 1
        n = seq[issued.year]
        bind.execute(docs.update().where(docs.c.id == r.id).values(
            issued_on=issued,
            period_ends_on=period_end(issued, r.period_years) if r.period_years else None,
            register_number=format_register_number(issued.year, n, DEFAULT_REGISTER_PATTERN),
            register_year=issued.year, register_seq=n))


def downgrade() -> None:
    op.drop_index("ux_documents_register_year_seq", "documents")
    op.drop_index("uq_documents_register_number", "documents")
    for col in ("declassify_to", "register_number", "issued_on", "supersedes_id",
                "reason_code"):
        op.drop_column("decisions", col)
    for col in ("from_status", "kind"):
        op.drop_column("proposals", col)
    for col in ("declassified_on", "declassify_to", "register_seq", "register_year",
                "register_number", "period_ends_on", "issued_on"):
        op.drop_column("documents", col)
