"""A consistent copy of the embedded SQLite database, through SQLite's online backup API.

:func:`copy_database` copies a live database page by page while other connections keep
reading and writing (Python's :meth:`sqlite3.Connection.backup`); the copy is a single file
in rollback-journal mode, created 0600. PostgreSQL has its own tool for this (``pg_dump``):
:func:`copy_database` refuses it with :class:`~classifier.errors.BackupUnsupportedError`.

Source: issue 11 (§8 "dingmi backup (SQLite online backup API …)"); SQLite, "Online Backup
API" (https://www.sqlite.org/backup.html); Python :mod:`sqlite3` (``Connection.backup``).
"""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path

from sqlalchemy.engine import make_url

from classifier.errors import BackupUnsupportedError, DatabaseBusyError
from classifier.store.store import Store

#: Message of a PostgreSQL database (the edges show it verbatim).
PG_DUMP_MESSAGE = ("数据库为 PostgreSQL：其备份请使用 PostgreSQL 自带的 pg_dump / pg_restore"
                   "（例如 pg_dump -Fc），dingmi backup 只备份内置的 SQLite 数据库；"
                   "数据目录中的模型和密钥可照常复制")


def sqlite_file(url: str) -> Path | None:
    """The database file of a SQLite URL; None for any other database (or in-memory SQLite)."""
    u = make_url(url)
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:":
        return None
    return Path(u.database)


def copy_database(store: Store, dest: Path, *, pages_per_step: int = 1024) -> None:
    """Copy the live SQLite database of ``store`` into the new file ``dest`` (0600).

    Parameters
    ----------
    store : Store
        An open store on a SQLite file.
    dest : pathlib.Path
        Where the copy goes; must not exist. The copy is left in rollback-journal mode, one
        self-contained file.
    pages_per_step : int
        Pages copied per step; other connections may write between steps, and SQLite then
        restarts the copy so that it is consistent.

    Raises
    ------
    BackupUnsupportedError
        The store is not SQLite (PostgreSQL: ``pg_dump``).
    DatabaseBusyError
        The database stayed locked past the busy timeout.
    """
    if store.db_engine.dialect.name != "sqlite":
        raise BackupUnsupportedError(PG_DUMP_MESSAGE)
    os.close(os.open(dest, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    raw = store.db_engine.raw_connection()
    source = raw.driver_connection
    assert source is not None
    # SQLCipher (issue 11 §8): the copy is encrypted with the same key, by the same driver
    driver = sys.modules[type(source).__module__]
    target = driver.connect(str(dest), isolation_level=None)
    key = store.db_engine.url.password
    if key and driver is not sqlite3:
        target.execute("PRAGMA key = " + _quoted(str(key)))
    try:
        try:
            try:
                source.backup(target, pages=pages_per_step)
            except driver.OperationalError as e:
                raise DatabaseBusyError("数据库正被其他程序占用（已锁定），未能备份，请稍后重试") from e
        finally:
            raw.close()
        target.execute("PRAGMA journal_mode=DELETE")
    finally:
        target.close()


def _quoted(text: str) -> str:
    """A SQL string literal (SQLCipher's ``PRAGMA key`` takes no bound parameter)."""
    return "'" + text.replace("'", "''") + "'"


def url_for_copy(url: str, path: Path) -> str:
    """The URL of a copy at ``path`` of the SQLite database at ``url`` (same driver and key)."""
    return make_url(url).set(database=str(path)).render_as_string(hide_password=False)


def rollback_journal(url: str) -> None:
    """Leave the SQLite file at ``url`` in rollback-journal mode: one self-contained file
    (opening it with :class:`Store` switched it to WAL). No other connection may be open."""
    from sqlalchemy import create_engine

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA journal_mode=DELETE")
    finally:
        engine.dispose()
