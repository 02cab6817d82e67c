"""The store on a real SQLite file: schema, migrations, pragmas, append-only history, crashes."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import textwrap
from datetime import UTC

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from classifier.config import Settings
from classifier.errors import NotFoundError, StaleVersionError, StoreError
from classifier.store import MIGRATIONS_DIR, Base, Store
from classifier.store.schema import APPEND_ONLY_TABLES
from classifier.training.decisions import final_decision_records


def _doc(tx, user_id, sha="a" * 64, **kw):
    fields = dict(sha256=sha, filename="稿.txt", size_bytes=3, format="txt", text="正文",
                  uploaded_by=user_id, status="uploaded")
    fields.update(kw)
    return tx.add_document(**fields)


@pytest.fixture()
def user(store):
    with store.transaction() as tx:
        return tx.add_user("张承办", "drafter")


def test_store_open_creates_sqlite_file_with_wal_and_foreign_keys(tmp_path):
    s = Store.open(Settings(home=tmp_path / "var"))
    try:
        assert (tmp_path / "var" / "dingmi.sqlite3").is_file()
        with s.db_engine.connect() as c:
            assert c.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert c.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert s.schema_revision() == "0006"
    finally:
        s.close()


def test_store_open_twice_keeps_data(tmp_path):
    settings = Settings(home=tmp_path)
    s = Store.open(settings)
    with s.transaction() as tx:
        tx.add_user("甲", "drafter")
    s.close()
    s2 = Store.open(settings)
    assert [u.name for u in s2.users()] == ["甲"]
    s2.close()


def test_store_migrations_match_models(store):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    with store.db_engine.connect() as c:
        diff = compare_metadata(MigrationContext.configure(c, opts={"compare_type": True}),
                                Base.metadata)
    assert diff == []


def test_store_migration_scripts_ship_in_the_package():
    from setuptools import find_packages

    pkgs = find_packages(str(MIGRATIONS_DIR.parent.parent), include=["classifier*"])
    assert {"classifier.migrations", "classifier.migrations.versions"} <= set(pkgs)
    assert (MIGRATIONS_DIR / "env.py").is_file()
    assert list((MIGRATIONS_DIR / "versions").glob("0001_*.py"))


def test_store_schema_newer_than_code_raises_store_error(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    Store.from_url(url).close()
    with sqlite3.connect(tmp_path / "db.sqlite3") as con:
        con.execute("UPDATE alembic_version SET version_num = '9999_future'")
    with pytest.raises(StoreError, match=r"\[store_error\].*9999_future"):
        Store.from_url(url)


@pytest.mark.parametrize("table", APPEND_ONLY_TABLES)
@pytest.mark.parametrize("verb", ["UPDATE {t} SET id = id", "DELETE FROM {t}"])
def test_store_history_tables_refuse_update_and_delete_in_the_database(store, user, table, verb):
    with store.transaction() as tx:
        doc = _doc(tx, user.id)
        sug = tx.add_suggestion(doc.id, {"level": "秘密"})
        tx.add_proposal(document_id=doc.id, drafter_id=user.id, suggestion_id=sug.id,
                        level="秘密", clause="4.5", period_years=10, condition=None,
                        mark="秘密★10年", scope="本处", note="")
        tx.add_decision(document_id=doc.id, kind="confirm", actor_id=user.id,
                        actor_role="director", reason="")
        tx.add_judgement(document_id=doc.id, actor_id=user.id, actor_role="director",
                         level="秘密", clause="4.5")
        tx.add_catalogue_edit(clause="4.5", action="remove", term="通知", reason_code="already_public",
                              support=3, outcome="accepted", actor_id=user.id, note="")
        tx.add_event("upload", document_id=doc.id)
    with pytest.raises(sa.exc.DatabaseError, match="append-only"):
        with store.db_engine.begin() as c:
            c.exec_driver_sql(verb.format(t=table))


def test_store_history_rows_refuse_change_through_the_orm(store, user):
    from sqlalchemy.orm import Session

    from classifier.store.schema import EventRow

    with store.transaction() as tx:
        tx.add_event("upload", reason="原因")
    with Session(store.db_engine) as s, pytest.raises(StoreError, match=r"\[store_error\]"):
        row = s.scalars(sa.select(EventRow)).one()
        row.reason = "改写"
        s.flush()


def test_store_foreign_keys_are_enforced(store):
    with pytest.raises(sa.exc.IntegrityError), store.transaction() as tx:
        tx.add_event("upload", document_id=12345)


def test_store_transaction_rolls_back_everything_on_error(store, user):
    with pytest.raises(RuntimeError), store.transaction() as tx:
        _doc(tx, user.id)
        tx.add_event("upload")
        raise RuntimeError("boom")
    assert store.summaries() == []
    assert [e.action for e in store.events()] == []


def test_store_duplicate_sha256_returns_none_and_keeps_the_transaction(store, user):
    with store.transaction() as tx:
        first = _doc(tx, user.id)
        assert _doc(tx, user.id, filename="again.txt") is None
        tx.add_event("reopen", document_id=first.id)
    assert [s.filename for s in store.summaries()] == ["稿.txt"]
    assert [e.action for e in store.events()] == ["reopen"]


def test_store_update_document_checks_the_version(store, user):
    with store.transaction() as tx:
        doc = _doc(tx, user.id)
    with store.transaction() as tx:
        new = tx.update_document(doc.id, doc.version, status="proposed")
    assert new.version == doc.version + 1
    with pytest.raises(StaleVersionError, match=r"\[stale_version\]"), store.transaction() as tx:
        tx.update_document(doc.id, doc.version, status="confirmed")
    assert store.document(doc.id).status == "proposed"


def test_store_missing_document_raises_not_found(store):
    with pytest.raises(NotFoundError, match=r"\[not_found\]"):
        store.document(404)


def test_store_times_are_timezone_aware_utc(store, user):
    assert user.created_at.tzinfo is not None
    assert store.users()[0].created_at.utcoffset() == UTC.utcoffset(None)


def test_store_search_treats_like_wildcards_literally(store, user):
    with store.transaction() as tx:
        _doc(tx, user.id, sha="1" * 64, filename="100%完成.txt")
        _doc(tx, user.id, sha="2" * 64, filename="其他.txt")
    assert [s.filename for s in store.summaries(search="%")] == ["100%完成.txt"]
    assert [s.filename for s in store.summaries(search="_")] == []


def test_store_killed_mid_transaction_loses_nothing(tmp_path):
    """A process killed (SIGKILL) inside a write leaves the last committed state, unlocked."""
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    s = Store.from_url(url)
    with s.transaction() as tx:
        u = tx.add_user("张承办", "drafter")
        doc = _doc(tx, u.id)
    s.close()
    script = textwrap.dedent(f"""
        import os, signal
        from classifier.store import Store
        s = Store.from_url({url!r})
        with s.transaction() as tx:
            tx.update_document({doc.id}, {doc.version}, status="proposed", level="机密")
            tx.add_event("propose", document_id={doc.id})
            os.kill(os.getpid(), signal.SIGKILL)
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60)
    assert proc.returncode == -9, proc.stderr.decode()
    s = Store.from_url(url)
    try:
        after = s.document(doc.id)
        assert (after.status, after.level, after.version) == ("uploaded", None, doc.version)
        assert s.events() == []
        with s.transaction() as tx:  # not left locked
            tx.update_document(doc.id, doc.version, status="proposed")
    finally:
        s.close()


def test_final_decision_records_only_settled_documents(tmp_path):
    settings = Settings(home=tmp_path)
    assert list(final_decision_records(settings)) == []
    assert not (tmp_path / "dingmi.sqlite3").exists()  # training never creates the database
    s = Store.open(settings)
    with s.transaction() as tx:
        u = tx.add_user("张承办", "drafter")
        for i, (status, level, clause) in enumerate([
            ("confirmed", "机密", "4.3"), ("overridden", "公开", None), ("decided", "秘密", "4.5"),
            ("proposed", "机密", "4.1"), ("escalated", "机密", "4.1"), ("uploaded", None, None),
        ]):
            _doc(tx, u.id, sha=str(i) * 64, text=f"正文{i}", status=status, level=level,
                 clause=clause)
    s.close()
    got = list(final_decision_records(settings))
    assert [(r["text"], r["level"], r["clause"]) for r in got] == [
        ("正文0", "机密", "4.3"), ("正文1", "公开", None), ("正文2", "秘密", "4.5")]
    assert all(r["source"].startswith("decision:") for r in got)


_json = st.recursive(
    st.none() | st.booleans() | st.integers(-2**53, 2**53) | st.text(max_size=20)
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=8), kids, max_size=4),
    max_leaves=12,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    filename=st.text(min_size=1, max_size=80),
    text=st.text(max_size=300),
    payload=st.dictionaries(st.text(max_size=10), _json, max_size=6),
)
def test_store_round_trip_preserves_every_field(store, user, filename, text, payload):
    import hashlib

    sha = hashlib.sha256((filename + text + json.dumps(payload)).encode("utf-8", "surrogatepass")).hexdigest()
    with store.transaction() as tx:
        doc = _doc(tx, user.id, sha=sha, filename=filename, text=text)
        if doc is None:  # hypothesis repeated an example
            return
        sug = tx.add_suggestion(doc.id, payload)
    back = store.document(doc.id)
    assert (back.filename, back.text, back.sha256) == (filename, text, sha)
    assert store.latest_suggestion(doc.id).payload == json.loads(json.dumps(payload))
    assert store.latest_suggestion(doc.id).id == sug.id


def test_store_on_postgresql_migrates_guards_history_and_locks(pg_url, catalogue, suggester):
    """``DINGMI_DATABASE_URL`` pointing at PostgreSQL: same schema, triggers and locking."""
    import threading

    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from classifier.catalogue import Level
    from classifier.workflow import Classification, Workflow

    settings = Settings.from_env({"DINGMI_DATABASE_URL": pg_url})
    s1, s2 = Store.open(settings), Store.open(settings)  # two app processes
    try:
        with s1.db_engine.connect() as c:
            assert compare_metadata(MigrationContext.configure(c, opts={"compare_type": True}),
                                    Base.metadata) == []
        wf1, wf2 = Workflow(s1, catalogue), Workflow(s2, catalogue)
        d = wf1.add_user("张承办", "drafter")
        a, b = wf1.add_user("李主任", "director"), wf1.add_user("赵副主任", "director")
        for i in range(3):
            doc = wf1.upload(d.id, f"拟提名张某某同志为局长人选，尚未公布。{i}".encode(), "a.txt",
                             suggester.suggest_upload).document
            doc = wf1.propose(d.id, doc.id, Classification(Level.JIMI, "4.3"), scope="部务会")
            results: list[str] = []
            barrier = threading.Barrier(2)

            def go(wf, uid, doc=doc, results=results, barrier=barrier):
                barrier.wait()
                try:
                    results.append(wf.confirm(uid, doc.id, expected_version=doc.version).status)
                except StaleVersionError as e:
                    results.append(e.code)

            ts = [threading.Thread(target=go, args=(wf1, a.id)),
                  threading.Thread(target=go, args=(wf2, b.id))]
            for t in ts:
                t.start()
            for t in ts:
                t.join(timeout=60)
            assert sorted(results) == ["confirmed", "stale_version"]
            assert len(s1.decisions(doc.id)) == 1
        assert s1.events()[-1].created_at.tzinfo is not None
        with pytest.raises(sa.exc.DatabaseError, match="append-only"), s1.db_engine.begin() as c:
            c.exec_driver_sql("DELETE FROM events")
    finally:
        with s1.db_engine.begin() as c:  # leave the session cluster empty for other tests
            c.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        s1.close()
        s2.close()
