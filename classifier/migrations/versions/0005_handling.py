"""Handling classified documents: the register of copies, circulation, loans, disposals,
derived sources and release on an event.

Tables (see :mod:`classifier.store.handling`): ``register_lines``, ``register_copies``,
``copy_transfers``, ``circulations``, ``loans``, ``disposals``, ``derived_sources``,
``release_evidence``, ``release_reviews``. The history tables (hand-overs, disposals, derived
sources, release evidence and reviews) refuse UPDATE and DELETE by trigger, like 0001's.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07

Source: the office's regulation, section 八; issue 13.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from classifier.store.schema import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

APPEND_ONLY = ("copy_transfers", "disposals", "derived_sources", "release_evidence",
               "release_reviews")


def _id(table: str) -> list[Any]:
    return [sa.Column("id", sa.Integer(), nullable=False),
            sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}"))]


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"],
                                   name=op.f(f"fk_{table}_{column}_{target}"))


def upgrade() -> None:
    op.create_table(
        "register_lines", *_id("register_lines"),
        sa.Column("number", sa.String(40), nullable=False),
        sa.Column("direction", sa.String(10), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(255), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("issuer", sa.String(200), nullable=False),
        sa.Column("issuer_number", sa.String(100), nullable=False),
        sa.Column("recipient", sa.String(200), nullable=False),
        sa.Column("level", sa.String(10), nullable=False),
        sa.Column("period_years", sa.Integer(), nullable=True),
        sa.Column("condition", sa.String(200), nullable=True),
        sa.Column("copies", sa.Integer(), nullable=False),
        sa.Column("dated", sa.Date(), nullable=True),
        sa.Column("return_by", sa.Date(), nullable=True),
        sa.Column("registered_by", sa.Integer(), nullable=False),
        sa.Column("registered_at", UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        _fk("register_lines", "document_id", "documents"),
        _fk("register_lines", "registered_by", "users"),
        sa.UniqueConstraint("number", name=op.f("uq_register_lines_number")),
    )
    op.create_index(op.f("ix_register_lines_document_id"), "register_lines", ["document_id"])
    op.create_index(op.f("ix_register_lines_status"), "register_lines", ["status"])
    op.create_table(
        "register_copies", *_id("register_copies"),
        sa.Column("line_id", sa.Integer(), nullable=False),
        sa.Column("copy_no", sa.Integer(), nullable=False),
        sa.Column("original", sa.Boolean(), nullable=False),
        sa.Column("holder", sa.String(100), nullable=False),
        sa.Column("holding_for", sa.String(100), nullable=True),
        sa.Column("since", UTCDateTime(), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        _fk("register_copies", "line_id", "register_lines"),
        sa.UniqueConstraint("line_id", "copy_no", name=op.f("uq_register_copies_line_id")),
    )
    op.create_index(op.f("ix_register_copies_line_id"), "register_copies", ["line_id"])
    op.create_table(
        "copy_transfers", *_id("copy_transfers"),
        sa.Column("copy_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("from_holder", sa.String(100), nullable=False),
        sa.Column("to_holder", sa.String(100), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        _fk("copy_transfers", "copy_id", "register_copies"),
        _fk("copy_transfers", "actor_id", "users"),
    )
    op.create_index(op.f("ix_copy_transfers_copy_id"), "copy_transfers", ["copy_id"])
    op.create_table(
        "circulations", *_id("circulations"),
        sa.Column("copy_id", sa.Integer(), nullable=False),
        sa.Column("readers", sa.JSON(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("out_at", UTCDateTime(), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("back_at", UTCDateTime(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=False),
        _fk("circulations", "copy_id", "register_copies"),
        _fk("circulations", "created_by", "users"),
    )
    op.create_index(op.f("ix_circulations_copy_id"), "circulations", ["copy_id"])
    op.create_table(
        "loans", *_id("loans"),
        sa.Column("copy_id", sa.Integer(), nullable=False),
        sa.Column("borrower", sa.String(100), nullable=False),
        sa.Column("unit", sa.String(200), nullable=True),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("approver", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("requested_by", sa.Integer(), nullable=False),
        sa.Column("requested_at", UTCDateTime(), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=False),
        sa.Column("lent_at", UTCDateTime(), nullable=True),
        sa.Column("returned_at", UTCDateTime(), nullable=True),
        _fk("loans", "copy_id", "register_copies"),
        _fk("loans", "requested_by", "users"),
        _fk("loans", "decided_by", "users"),
    )
    op.create_index(op.f("ix_loans_copy_id"), "loans", ["copy_id"])
    op.create_index(op.f("ix_loans_status"), "loans", ["status"])
    op.create_table(
        "disposals", *_id("disposals"),
        sa.Column("line_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("witnesses", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("text_sha256", sa.String(64), nullable=True),
        sa.Column("backups", sa.JSON(), nullable=False),
        _fk("disposals", "line_id", "register_lines"),
        _fk("disposals", "actor_id", "users"),
    )
    op.create_index(op.f("ix_disposals_line_id"), "disposals", ["line_id"])
    op.create_table(
        "derived_sources", *_id("derived_sources"),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("source_document_id", sa.Integer(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("passages", sa.JSON(), nullable=False),
        sa.Column("mark", sa.String(50), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        _fk("derived_sources", "document_id", "documents"),
        _fk("derived_sources", "source_document_id", "documents"),
        _fk("derived_sources", "actor_id", "users"),
    )
    op.create_index(op.f("ix_derived_sources_document_id"), "derived_sources", ["document_id"])
    op.create_table(
        "release_evidence", *_id("release_evidence"),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("target_key", sa.String(300), nullable=False),
        sa.Column("public_document_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(255), nullable=False),
        sa.Column("form", sa.String(20), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("quote", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        _fk("release_evidence", "document_id", "documents"),
        _fk("release_evidence", "public_document_id", "documents"),
    )
    op.create_index(op.f("ix_release_evidence_document_id"), "release_evidence",
                    ["document_id"])
    op.create_table(
        "release_reviews", *_id("release_reviews"),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("evidence_documents", sa.JSON(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        _fk("release_reviews", "document_id", "documents"),
        _fk("release_reviews", "actor_id", "users"),
    )
    op.create_index(op.f("ix_release_reviews_document_id"), "release_reviews", ["document_id"])
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
    for table in ("release_reviews", "release_evidence", "derived_sources", "disposals",
                  "loans", "circulations", "copy_transfers", "register_copies",
                  "register_lines"):
        op.drop_table(table)
