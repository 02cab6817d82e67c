"""Accounts, sessions, personal tokens, and the audit record's hash chain.

- ``users``: ``password_hash`` (argon2id), ``must_change_password``, ``failed_logins``,
  ``locked_until``, ``password_changed_at``; the old ``admin`` role becomes ``clerk`` (机要:
  the register and its exports), since the three administrator duties are new roles.
- ``sessions`` and ``api_tokens``: only the sha256 of each random token is stored.
- ``events``: ``prev_hash`` (a unique index: the chain never forks) and ``hash``; the events already
  there are chained in id order. The append-only UPDATE trigger is lifted for that one
  statement and put back.

Columns are added with plain ``ALTER TABLE … ADD COLUMN`` (no batch copy), so the triggers of
0001 stay in place.

Revision ID: 0003
Revises: 0002
Create Date: 2026-02-01

Source: issue 11 (§1 accounts, §2–3 roles, §4 tokens, §6 hash chain).
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

from classifier.store.chain import GENESIS, event_hash
from classifier.store.schema import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("users", sa.Column("password_hash", sa.String(255), nullable=True))
    op.add_column("users", sa.Column("must_change_password", sa.Boolean(), nullable=False,
                                     server_default=sa.false()))
    op.add_column("users", sa.Column("failed_logins", sa.Integer(), nullable=False,
                                     server_default="0"))
    op.add_column("users", sa.Column("locked_until", UTCDateTime(), nullable=True))
    op.add_column("users", sa.Column("password_changed_at", UTCDateTime(), nullable=True))
    op.execute("UPDATE users SET role = 'clerk' WHERE role = 'admin'")
    op.create_table(
        "sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("via", sa.String(10), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", UTCDateTime(), nullable=False),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
        sa.Column("end_reason", sa.String(20), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_sessions_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_sessions_token_hash")),
    )
    op.create_index(op.f("ix_sessions_user_id"), "sessions", ["user_id"])
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_used_at", UTCDateTime(), nullable=True),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_api_tokens_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    op.create_index(op.f("ix_api_tokens_user_id"), "api_tokens", ["user_id"])
    op.add_column("events", sa.Column("prev_hash", sa.String(64), nullable=True))
    op.add_column("events", sa.Column("hash", sa.String(64), nullable=True))
    _chain_existing_events()
    op.create_index(op.f("ix_events_prev_hash"), "events", ["prev_hash"], unique=True)


def _chain_existing_events() -> None:
    bind = op.get_bind()
    dialect = bind.dialect.name
    events = sa.table("events", *(sa.column(c) for c in (
        "id", "document_id", "actor_id", "actor_role", "action", "from_status", "to_status",
        "reason", "prev_hash", "hash")), sa.column("detail", sa.JSON()),
        sa.column("created_at", UTCDateTime()))
    rows = bind.execute(sa.select(events).order_by(events.c.id)).all()
    if not rows:
        return
    if dialect == "sqlite":
        op.execute("DROP TRIGGER events_no_update")
    elif dialect == "postgresql":
        op.execute("ALTER TABLE events DISABLE TRIGGER events_append_only")
    prev = GENESIS
    for r in rows:
        detail = r.detail if isinstance(r.detail, dict) else json.loads(r.detail or "{}")
        h = event_hash(prev, document_id=r.document_id, actor_id=r.actor_id,
                       actor_role=r.actor_role, action=r.action, from_status=r.from_status,
                       to_status=r.to_status, reason=r.reason, detail=detail,
                       created_at=r.created_at)
        bind.execute(events.update().where(events.c.id == r.id)
                     .values(prev_hash=prev, hash=h))
        prev = h
    if dialect == "sqlite":
        op.execute("CREATE TRIGGER events_no_update BEFORE UPDATE ON events "
                   "BEGIN SELECT RAISE(ABORT, 'events is append-only'); END")
    elif dialect == "postgresql":
        op.execute("ALTER TABLE events ENABLE TRIGGER events_append_only")


def downgrade() -> None:
    op.drop_index(op.f("ix_events_prev_hash"), "events")
    op.drop_column("events", "hash")
    op.drop_column("events", "prev_hash")
    op.drop_table("api_tokens")
    op.drop_table("sessions")
    op.execute("UPDATE users SET role = 'admin' WHERE role = 'clerk'")
    for col in ("password_changed_at", "locked_until", "failed_logins", "must_change_password",
                "password_hash"):
        op.drop_column("users", col)
