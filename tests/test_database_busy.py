"""A locked database (issue 11 §9): another connection holds SQLite's write lock with
``BEGIN EXCLUSIVE``; the service layer, the command line and the app each answer with the
Chinese message and its code ``database_busy``, never a traceback, SQL or a server path,
and nothing is written."""

from __future__ import annotations

import re
import sqlite3
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner
from streamlit.testing.v1 import AppTest

from classifier.cli import main
from classifier.errors import DatabaseBusyError, StoreError
from classifier.store import Store
from classifier.workflow import Workflow
from tests.conftest import PASSWORD, app_login, ready_demo_users

REPO = Path(__file__).resolve().parent.parent


@contextmanager
def held_lock(db: Path):
    """A second, plain sqlite3 connection holding the exclusive write lock of ``db``."""
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("BEGIN EXCLUSIVE")
    try:
        yield con
    finally:
        con.rollback()
        con.close()


def _no_leak(text: str, db: Path) -> None:
    assert "Traceback" not in text and "sqlalchemy" not in text.lower()
    assert str(db.parent) not in text and "SELECT" not in text and "INSERT" not in text


@pytest.mark.parametrize("name", ["张三"])
def test_store_write_under_a_held_lock_raises_database_busy_and_writes_nothing(tmp_path, name):
    db = tmp_path / "dingmi.sqlite3"
    store = Store.from_url(f"sqlite:///{db}", busy_timeout_s=0.2)
    try:
        wf = Workflow(store)
        with held_lock(db):
            with pytest.raises(DatabaseBusyError, match=r"^\[database_busy\] ") as e:
                wf.add_user(name, "drafter", password=PASSWORD)
            assert isinstance(e.value, StoreError)
            _no_leak(str(e.value), db)
            assert wf.users() == []                     # WAL: reads go on during the lock
        assert [u.name for u in wf.users()] == []       # nothing half-written
        wf.add_user(name, "drafter", password=PASSWORD)  # and the lock gone, it works
        assert [u.name for u in wf.users()] == [name]
    finally:
        store.close()


def test_cli_under_a_held_lock_prints_the_code_not_a_traceback(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("DINGMI_HOME", str(home))
    monkeypatch.delenv("DINGMI_DATABASE_URL", raising=False)
    monkeypatch.delenv("DINGMI_TOKEN", raising=False)
    monkeypatch.setenv("DINGMI_BUSY_TIMEOUT", "0.2")
    monkeypatch.setenv("DINGMI_PASSWORD", PASSWORD)
    wf = Workflow.open(_settings(home))
    wf.add_user("李主任", "director", password=PASSWORD, must_change_password=False)
    wf.close()
    db = home / "dingmi.sqlite3"
    with held_lock(db):
        res = CliRunner().invoke(main, ["review", "list", "--as", "李主任"])
        assert res.exit_code == 1, res.output
        assert "[database_busy]" in res.stderr and "已锁定" in res.stderr
        _no_leak(res.output, db)
        res = CliRunner().invoke(main, ["review", "list", "--as", "李主任", "--json"])
        assert res.exit_code == 1 and '"code": "database_busy"' in res.stdout
    res = CliRunner().invoke(main, ["review", "list", "--as", "李主任"])
    assert res.exit_code == 0, res.output


def _settings(home: Path):
    from classifier.config import Settings

    return Settings(home=home)


def _errors(at: AppTest) -> list[str]:
    return [e.value.replace("\\", "") for e in at.error]


def _codes(at: AppTest) -> list[str]:
    """The stable codes folded under 技术细节 beside the errors shown (issue 15)."""
    body = " ".join(h.proto.body for h in at.html if "dm-detail" in h.proto.body)
    return re.findall(r"<code>([a-z_]+)</code>", body)


def test_app_under_a_held_lock_shows_the_code_not_a_traceback(tmp_path, monkeypatch):
    db = tmp_path / "app.sqlite3"
    monkeypatch.setenv("DINGMI_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("DINGMI_DATABASE_URL", f"sqlite:///{db}")
    monkeypatch.setenv("DINGMI_BUSY_TIMEOUT", "0.2")
    Store.from_url(f"sqlite:///{db}").close()
    # the first start cannot set up the database while another program holds it
    with held_lock(db):
        at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60).run()
        assert not at.exception, [e.value for e in at.exception]
        (msg,) = _errors(at)
        assert _codes(at) == ["database_busy"] and "已锁定" in msg
        _no_leak(msg, db)
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60).run()
    assert not at.exception and [t.value for t in at.title] == ["定密助手 · 登录"]
    ready_demo_users()
    # a login (a write: the session and its audit event) while the lock is held
    with held_lock(db):
        at = app_login(at, "张承办")
        (msg,) = _errors(at)
        assert _codes(at) == ["database_busy"] and "已锁定" in msg
        _no_leak(msg, db)
        assert [t.value for t in at.title] == ["定密助手 · 登录"]
    at = app_login(at, "张承办")
    assert not _errors(at) and [t.value for t in at.title] != ["定密助手 · 登录"]
