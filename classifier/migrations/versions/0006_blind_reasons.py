"""Oversight: blind mode, several reason codes per decision, and catalogue edits.

- ``documents.blind``: the draft was drawn for blind mode at upload (issue 14 §3): the
  drafter sees no suggestion until the proposal is submitted, the director none until a
  first judgement is recorded.
- ``judgements``: a reviewer's first judgement (level and clause) on a blind draft, recorded
  before the suggestion is shown; append-only.
- ``proposals.reason_codes`` and ``decisions.reason_codes``: every reason code given (a JSON
  list of :class:`classifier.workflow.reasons.ReasonCode` values); ``decisions.reason_code``
  of 0004 keeps the first of them, which the routing rules read.
- ``catalogue_edits``: an administrator's answer to a proposed catalogue edit (a cue term
  to add to or remove from a clause, derived from recurring reasons); append-only.

Columns are added with plain ``ALTER TABLE … ADD COLUMN`` (no batch copy), so the
append-only triggers of 0001 stay in place.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07

Source: issue 14 (items 1 and 3).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from classifier.store.schema import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

APPEND_ONLY = ("judgements", "catalogue_edits")


def upgrade() -> None:
    op.add_column("documents", sa.Column("blind", sa.Boolean(), nullable=False,
                                         server_default=sa.false()))
    op.add_column("proposals", sa.Column("reason_codes", sa.JSON(), nullable=True))
    op.add_column("decisions", sa.Column("reason_codes", sa.JSON(), nullable=True))
    op.create_table(
        "judgements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("actor_role", sa.String(20), nullable=False),
        sa.Column("level", sa.String(10), nullable=False),
        sa.Column("clause", sa.String(20), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_judgements")),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"],
                                name=op.f("fk_judgements_document_id_documents")),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"],
                                name=op.f("fk_judgements_actor_id_users")),
    )
    op.create_index(op.f("ix_judgements_document_id"), "judgements", ["document_id"])
    op.create_table(
        "catalogue_edits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clause", sa.String(20), nullable=False),
        sa.Column("action", sa.String(10), nullable=False),
        sa.Column("term", sa.String(100), nullable=False),
        sa.Column("reason_code", sa.String(40), nullable=False),
        sa.Column("support", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(10), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalogue_edits")),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"],
                                name=op.f("fk_catalogue_edits_actor_id_users")),
    )
    op.create_index(op.f("ix_catalogue_edits_clause"), "catalogue_edits", ["clause"])
    dialect = op.get_bind().dialect.name
    for table in APPEND_ONLY:
        if dialect == "sqlite":
            for verb in ("UPDATE", "DELETE"):
                op.execute(f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                           f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END")
        elif dialect == "postgresql":  # dingmi_append_only() is 0001's
            op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION dingmi_append_only()")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table in APPEND_ONLY:
        if dialect == "sqlite":
            for verb in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")
        elif dialect == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    op.drop_index(op.f("ix_catalogue_edits_clause"), table_name="catalogue_edits")
    op.drop_table("catalogue_edits")
    op.drop_index(op.f("ix_judgements_document_id"), table_name="judgements")
    op.drop_table("judgements")
    op.drop_column("decisions", "reason_codes")
    op.drop_column("proposals", "reason_codes")
    op.drop_column("documents", "blind")
