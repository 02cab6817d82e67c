"""Who is acting (issue 11): accounts, passwords, lockout, sessions, tokens, 三员, need to
know, and the hash-chained audit record — on a real SQLite file and on real PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from classifier.catalogue import Level
from classifier.config import AuthPolicy
from classifier.errors import (
    AccountLockedError,
    AlreadyRegisteredError,
    AuthenticationError,
    AuthenticationRequiredError,
    DutyConflictError,
    PasswordChangeRequiredError,
    PermissionDeniedError,
    SessionExpiredError,
    WeakPasswordError,
)
from classifier.store import Store, UTCDateTime, utcnow
from classifier.suggest import FileResult
from classifier.workflow import Classification, Workflow
from tests.conftest import PASSWORD

TEXT = "关于拟任干部人选的请示\n经部务会研究，拟提名张某某同志为市财政局局长人选，尚未公布。"


def stub_suggest(data: bytes, name: str) -> FileResult:
    """A suggestion without the model (the engine is tested elsewhere)."""
    return FileResult.from_record({"file": name, "text": data.decode(), "format": "txt",
                                   "level": "机密", "clause": "4.3", "needs_review": False,
                                   "model_version": "stub", "error": None})


class Clock:
    """A clock the test moves forward."""

    def __init__(self):
        self.t = utcnow()

    def __call__(self):
        return self.t

    def advance(self, **kw):
        self.t += timedelta(**kw)


@pytest.fixture()
def clock(workflow):
    c = Clock()
    workflow.now = c
    return c


def _settled(wf, people, text=TEXT, scope="部务会成员"):
    d = wf.upload(people.drafter.id, text.encode(), "请示.txt", stub_suggest).document
    wf.propose(people.drafter.id, d.id, Classification(Level.JIMI, "4.3"), scope=scope)
    return wf.confirm(people.director.id, d.id)


# --- passwords, login, lockout, sessions ------------------------------------------------


def test_password_is_stored_as_argon2id_and_never_in_clear(workflow, people, store):
    with store.db_engine.connect() as c:
        hashes = [r[0] for r in c.exec_driver_sql("SELECT password_hash FROM users")]
    assert all(h.startswith("$argon2id$") for h in hashes)
    workflow.login("张承办", PASSWORD)
    with store.db_engine.connect() as c:
        dump = "\n".join(str(r) for t in ("users", "events", "sessions")
                         for r in c.exec_driver_sql(f"SELECT * FROM {t}"))
    assert PASSWORD not in dump


@pytest.mark.parametrize("password, rule", [("Ab1-short", "10"), ("abcdefghijkl", "三种"),
                                            ("Xx-张承办-2026", "用户名")])
def test_password_policy(workflow, people, password, rule):
    with pytest.raises(WeakPasswordError, match=rule):
        workflow.change_password(people.drafter.id, PASSWORD, password)


def test_first_password_must_be_changed_before_anything_else(workflow):
    u = workflow.add_user("新承办", "drafter", password="First-pass-2026")
    cred = workflow.login("新承办", "First-pass-2026")
    assert cred.must_change_password
    with pytest.raises(PasswordChangeRequiredError, match=r"\[password_change_required\]"):
        workflow.session_user(cred.token)
    assert workflow.session_user(cred.token, allow_password_change=True).id == u.id
    workflow.change_password(u.id, "First-pass-2026", "Second-pass-2026")
    assert workflow.session_user(cred.token).id == u.id


def test_lockout_grows_and_holds_even_with_the_right_password(workflow, people, clock):
    workflow.auth = AuthPolicy(argon2_time_cost=1, argon2_memory_kib=64, argon2_parallelism=1,
                               lockout_failures=3, lockout_seconds=60)
    for _ in range(2):
        with pytest.raises(AuthenticationError, match=r"\[authentication_failed\]"):
            workflow.login("张承办", "wrong")
    with pytest.raises(AccountLockedError, match=r"\[account_locked\]"):
        workflow.login("张承办", "wrong")
    with pytest.raises(AccountLockedError):
        workflow.login("张承办", PASSWORD)  # the right password does not open it
    clock.advance(seconds=61)
    with pytest.raises(AccountLockedError):  # a fourth failure: locked twice as long
        workflow.login("张承办", "wrong")
    clock.advance(seconds=100)
    with pytest.raises(AccountLockedError):
        workflow.login("张承办", PASSWORD)
    clock.advance(seconds=30)
    assert workflow.login("张承办", PASSWORD).user.failed_logins == 0
    actions = [e.action for e in workflow.store.chain()]
    assert actions.count("account_locked") == 2 and actions.count("login_failed") == 6
    assert actions[-1] == "login"


def test_unknown_user_and_wrong_password_look_the_same(workflow, people):
    msgs = []
    for name in ("无名氏", "张承办"):
        with pytest.raises(AuthenticationError) as e:
            workflow.login(name, "Wrong-pass-2026")
        msgs.append(str(e.value))
    assert msgs[0] == msgs[1]


def test_session_ends_on_logout_and_after_idle_time(workflow, people, clock):
    cred = workflow.login("李主任", PASSWORD)
    assert workflow.session_user(cred.token).name == "李主任"
    clock.advance(minutes=workflow.auth.session_idle_minutes - 1)
    assert workflow.session_user(cred.token).name == "李主任"  # use restarts the idle time
    clock.advance(minutes=workflow.auth.session_idle_minutes + 1)
    with pytest.raises(SessionExpiredError, match="会话已结束"):
        workflow.session_user(cred.token)
    with pytest.raises(SessionExpiredError):
        workflow.session_user(cred.token)
    cred = workflow.login("李主任", PASSWORD)
    workflow.logout(cred.token)
    with pytest.raises(SessionExpiredError):
        workflow.session_user(cred.token)
    with pytest.raises(AuthenticationRequiredError):
        workflow.session_user(None)
    actions = [e.action for e in workflow.store.chain()]
    assert "session_expired" in actions and actions[-1] == "logout"


def test_personal_tokens_are_hashed_listed_and_revocable(workflow, people, store):
    t, value = workflow.create_token(people.director.id, "脚本")
    with store.db_engine.connect() as c:
        assert value not in str(c.exec_driver_sql("SELECT * FROM api_tokens").all())
    assert workflow.token_user(value).name == "李主任"
    (listed,) = workflow.tokens(people.director.id)
    assert listed.last_used_at is not None
    with pytest.raises(PermissionDeniedError):
        workflow.revoke_token(people.drafter.id, t.id)
    workflow.revoke_token(people.director.id, t.id)
    with pytest.raises(AuthenticationError):
        workflow.token_user(value)


# --- 三员 and need to know ---------------------------------------------------------------


def test_an_account_holds_at_most_one_administrator_duty(workflow, people):
    new = workflow.create_account(people.sysadmin.id, "新人", "Some-pass-2026")
    assert workflow.assign_role(people.secadmin.id, new.id, "auditor").role == "auditor"
    for role in ("sysadmin", "secadmin", "director"):
        with pytest.raises(DutyConflictError, match=r"\[duty_conflict\]"):
            workflow.assign_role(people.secadmin.id, new.id, role)
    with pytest.raises(DutyConflictError):  # a workflow account never becomes an administrator
        workflow.assign_role(people.secadmin.id, people.director.id, "sysadmin")
    with pytest.raises(PermissionDeniedError):  # the system administrator does not assign roles
        workflow.assign_role(people.sysadmin.id, new.id, "drafter")
    with pytest.raises(PermissionDeniedError):  # the security administrator adds no account
        workflow.create_account(people.secadmin.id, "又一人", "Some-pass-2026")
    with pytest.raises(DutyConflictError):
        workflow.init_admins([("甲", "sysadmin", "Some-pass-2026"),
                              ("甲", "secadmin", "Some-pass-2026"),
                              ("乙", "auditor", "Some-pass-2026")], force=True, reason="测试")


@pytest.mark.parametrize("who", ["sysadmin", "secadmin", "auditor"])
def test_administrators_neither_read_documents_nor_act(workflow, people, who):
    doc = _settled(workflow, people)
    admin = getattr(people, who)
    with pytest.raises(PermissionDeniedError):
        workflow.document(doc.id, admin.id)
    with pytest.raises(PermissionDeniedError):
        workflow.documents(admin.id)
    with pytest.raises(PermissionDeniedError):
        workflow.records(admin.id)
    with pytest.raises(PermissionDeniedError):
        workflow.upload(admin.id, b"x", "x.txt", stub_suggest)
    with pytest.raises(PermissionDeniedError):
        workflow.propose(admin.id, doc.id, Classification(Level.MIMI, "4.3"), scope="x")


def test_a_drafter_sees_only_their_own_and_is_told_who_registered_a_file(workflow, people):
    doc = _settled(workflow, people)
    other = workflow.add_user("孙承办", "drafter", password=PASSWORD, must_change_password=False)
    assert workflow.documents(other.id) == []
    with pytest.raises(PermissionDeniedError, match="知悉范围"):
        workflow.document(doc.id, other.id)
    with pytest.raises(AlreadyRegisteredError, match=r"\[already_registered\].*张承办") as e:
        workflow.upload(other.id, TEXT.encode(), "副本.txt", stub_suggest)
    assert "机密" not in str(e.value) and "拟提名" not in str(e.value)
    assert workflow.document(doc.id, people.drafter.id).id == doc.id


def test_named_scope_limits_a_settled_document(workflow, people):
    doc = _settled(workflow, people, scope="王组长、陈机要")
    assert workflow.document(doc.id, people.leader.id).id == doc.id
    assert workflow.document(doc.id, people.director.id).id == doc.id  # decided it
    with pytest.raises(PermissionDeniedError):
        workflow.document(doc.id, people.director2.id)
    assert [d.id for d in workflow.documents(people.director2.id, statuses=None)] == []


def test_every_read_of_a_secret_is_an_audit_event(workflow, people, clock):
    doc = _settled(workflow, people)
    workflow.document(doc.id, people.leader.id)
    workflow.document(doc.id, people.leader.id)  # the same minute: one event
    clock.advance(minutes=11)
    workflow.document(doc.id, people.leader.id)
    reads = [e for e in workflow.store.events(doc.id) if e.action == "read_secret"]
    assert [e.actor_id for e in reads] == [people.leader.id] * 2


# --- the hash chain ------------------------------------------------------------------------


def _drop_triggers(store):
    with store.db_engine.begin() as c:
        if store.db_engine.dialect.name == "sqlite":
            for (name,) in c.exec_driver_sql(
                    "SELECT name FROM sqlite_master WHERE type='trigger'").all():
                c.exec_driver_sql(f"DROP TRIGGER {name}")
        else:
            for t in ("suggestions", "proposals", "decisions", "events"):
                c.exec_driver_sql(f"DROP TRIGGER IF EXISTS {t}_append_only ON {t}")


def _tamper_cases(wf, people, store):
    """Build a record, then change it in each way with raw SQL (triggers dropped first)."""
    for i in range(2):
        _settled(wf, people, text=TEXT + str(i))
    for _ in range(2):
        wf.logout(wf.login("李主任", PASSWORD).token)
    report = wf.audit_verify(people.auditor.id)
    assert report.ok and report.count > 10, report.problems
    head = report.head
    events = store.chain()
    mid = events[len(events) // 2]
    _drop_triggers(store)

    def run(sql, params):
        with store.db_engine.begin() as c:
            c.execute(sa.text(sql), params)

    found = {}
    # an edited row
    run("UPDATE events SET reason = 'x' WHERE id = :id", {"id": mid.id})
    found["edited"] = wf.audit_verify(people.auditor.id).problems
    run("UPDATE events SET reason = :r WHERE id = :id", {"r": mid.reason, "id": mid.id})
    assert wf.audit_verify(people.auditor.id).ok
    # a level changed behind the product's back
    doc_id = next(e.document_id for e in reversed(events) if e.document_id)
    run("UPDATE documents SET level = '公开' WHERE id = :id", {"id": doc_id})
    found["document"] = wf.audit_verify(people.auditor.id).problems
    run("UPDATE documents SET level = '机密' WHERE id = :id", {"id": doc_id})
    assert wf.audit_verify(people.auditor.id).ok
    # an inserted row (linked into the middle)
    run("INSERT INTO events (id, document_id, actor_id, actor_role, action, reason, detail, "
        "created_at, prev_hash, hash) VALUES (:id, NULL, NULL, NULL, 'login', '', '{}', "
        ":t, :p, :h)", {"id": events[-1].id + 1, "t": events[-1].created_at.replace(tzinfo=None)
                        if store.db_engine.dialect.name == "sqlite" else events[-1].created_at,
                        "p": "f" * 64, "h": "e" * 64})
    found["inserted"] = wf.audit_verify(people.auditor.id).problems
    run("DELETE FROM events WHERE id = :id", {"id": events[-1].id + 1})
    # a deleted middle row
    run("DELETE FROM events WHERE id = :id", {"id": mid.id})
    found["deleted"] = wf.audit_verify(people.auditor.id).problems
    return found, head, events


def _check_tamper_cases(wf, people, store):
    found, head, events = _tamper_cases(wf, people, store)
    mid = events[len(events) // 2]
    assert [p.kind for p in found["edited"]] == ["altered"]
    assert found["edited"][0].event_id == mid.id
    assert [p.kind for p in found["document"]] == ["document_mismatch"]
    assert "密级" in found["document"][0].message
    assert [p.kind for p in found["inserted"]] == ["broken_link", "altered"]
    assert [p.kind for p in found["deleted"]][0] == "broken_link"  # (and its document)
    assert found["deleted"][0].event_id == events[len(events) // 2 + 1].id
    # put the deleted row back: sound again
    with store.db_engine.begin() as c:
        c.execute(sa.insert(sa.table("events", *(sa.column(k) for k in (
            "id", "document_id", "actor_id", "actor_role", "action", "from_status", "to_status",
            "reason", "prev_hash", "hash")), sa.column("detail", sa.JSON()),
            sa.column("created_at", UTCDateTime()))).values(
            **{k: getattr(mid, k) for k in ("id", "document_id", "actor_id", "actor_role",
                                            "action", "from_status", "to_status", "reason",
                                            "prev_hash", "hash", "detail", "created_at")}))
    assert wf.audit_verify(people.auditor.id, expected_head=head).ok
    # a cut-off tail: the chain left is sound, but the exported head is gone
    tail = events[-4:]  # the two logins and logouts at the end
    with store.db_engine.begin() as c:
        c.execute(sa.text("DELETE FROM events WHERE id >= :id"), {"id": tail[0].id})
    assert wf.audit_verify(people.auditor.id).ok
    cut = wf.audit_verify(people.auditor.id, expected_head=head)
    assert [p.kind for p in cut.problems] == ["truncated"]
    with pytest.raises(PermissionDeniedError):
        wf.audit_verify(people.director.id)


def test_audit_verify_finds_each_change_on_sqlite(workflow, people, store):
    _check_tamper_cases(workflow, people, store)


def test_audit_verify_finds_each_change_on_postgresql(pg_url, catalogue):
    from types import SimpleNamespace

    store = Store.from_url(pg_url)
    try:
        wf = Workflow(store, catalogue)
        people = SimpleNamespace(**{k: wf.add_user(n, r, password=PASSWORD,
                                                   must_change_password=False)
                                    for k, n, r in (("drafter", "张承办", "drafter"),
                                                    ("director", "李主任", "director"),
                                                    ("auditor", "安全审计员", "auditor"))})
        cred = wf.login("李主任", PASSWORD)
        assert wf.session_user(cred.token).name == "李主任"
        with pytest.raises(AuthenticationError):
            wf.login("李主任", "wrong")
        _check_tamper_cases(wf, people, store)
    finally:
        with store.db_engine.begin() as c:  # leave the session cluster empty for other tests
            c.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        store.close()


def test_migration_chains_the_events_already_there(tmp_path, catalogue):
    from alembic import command
    from alembic.config import Config

    from classifier.store import MIGRATIONS_DIR

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    engine = sa.create_engine(url)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0002")
        conn.exec_driver_sql("INSERT INTO users (id, name, role, active, created_at) VALUES "
                             "(1, '管理员', 'admin', 1, '2026-01-01 00:00:00.000000')")
        for i in range(3):
            conn.exec_driver_sql(
                "INSERT INTO events (actor_id, actor_role, action, reason, detail, created_at) "
                f"VALUES (1, 'admin', 'user_add', '', '{{\"n\": {i}}}', "
                f"'2026-01-01 00:00:0{i}.000000')")
    engine.dispose()
    store = Store.from_url(url)
    try:
        wf = Workflow(store, catalogue)
        assert store.user_by_name("管理员").role == "clerk"
        auditor = wf.add_user("安全审计员", "auditor")
        report = wf.audit_verify(auditor.id)
        assert report.ok and report.count == 4
    finally:
        store.close()


def test_data_home_is_0700_and_its_files_0600(tmp_path):
    import stat

    from classifier.config import Settings

    home = tmp_path / "var"
    store = Store.open(Settings(home=home))
    try:
        with store.transaction() as tx:
            tx.add_user("甲", "drafter")
    finally:
        store.close()
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    files = [p for p in home.iterdir() if p.name.startswith("dingmi.sqlite3")]
    assert files and all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in files)
