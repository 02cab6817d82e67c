"""Alembic environment: runs on the connection handed over by ``Store.upgrade``."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import create_engine

from classifier.store.schema import Base

config = context.config
connection = config.attributes.get("connection")


def _run(conn: Any) -> None:
    context.configure(
        connection=conn,
        target_metadata=Base.metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies the table
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if connection is not None:
    _run(connection)
else:  # pragma: no cover - only when someone runs the alembic CLI by hand
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise SystemExit("set sqlalchemy.url, or open the store with classifier.store.Store.open")
    with create_engine(url).begin() as conn:
        _run(conn)
