"""Decisions carry the passages the decider ticked as deciding the level.

Adds the nullable JSON column ``decisions.passages`` (``[{"start", "end"}, ...]``, offsets
into the document's text). Existing decisions keep ``NULL``: no passage labels.

The column is added with a plain ``ALTER TABLE … ADD COLUMN`` (no batch copy of the table),
so the append-only triggers of 0001 stay in place on SQLite and PostgreSQL.

Revision ID: 0002
Revises: 0001
Create Date: 2026-01-15

Source: issue 9 (item 8, learning from directors' passages).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("decisions", sa.Column("passages", sa.JSON(), nullable=True))


def downgrade() -> None:
    # SQLite ≥ 3.35 and PostgreSQL drop a column in place; the triggers are kept.
    op.drop_column("decisions", "passages")
