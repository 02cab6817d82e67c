"""Passage labels of decisions (issue 9, item 8): the director's ticked passages are stored
with the decision (migration 0002), checked, exported for training, set from the CLI and
from the review page."""

from __future__ import annotations

import hashlib
import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from streamlit.testing.v1 import AppTest

from classifier.catalogue import Level
from classifier.crossval import key_spans
from classifier.errors import ERROR_CODES, InvalidDecisionError, InvalidPassageError
from classifier.store import MIGRATIONS_DIR, Base, Store
from classifier.suggest import FileResult
from classifier.training.decisions import decision_records, final_decision_records
from classifier.workflow import Classification, Workflow, normalize_passages
from tests.conftest import pick_reasons, submit_confirmed

REPO = Path(__file__).resolve().parent.parent

TEXT = (
    "关于拟任干部人选的请示\n"
    "经部务会研究，拟提名张某某同志为市财政局局长人选。以上人选尚未公布，请严格控制知悉范围。\n"
    "一、关于办公用品采购。本季度办公用品按预算采购，已完成验收入库。\n"
    "二、关于会议室使用。各科室使用会议室请提前一天登记。"
)
TITLE, NOMINEE, SUPPLIES, ROOMS = (0, 11), (12, 56), (57, 89), (90, 116)
JIMI_43 = Classification(Level.JIMI, "4.3", None, "任免正式公布后")


def _fake_suggest(data: bytes, filename: str) -> dict:
    """An engine answer whose evidence is the nominee paragraph (no model needed)."""
    text = data.decode()
    return {
        "level": "机密", "clause": "4.3", "confidence": 0.9, "needs_review": False,
        "reasons": [], "model_version": "test", "catalogue_version": "test", "error": None,
        "candidates": [
            {"clause": "4.3", "level": "机密", "score": 0.9,
             "evidence": [{"text": text[slice(*NOMINEE)], "start": NOMINEE[0],
                           "end": NOMINEE[1]}]},
            {"clause": None, "level": "内部", "score": 0.1,
             "evidence": [{"text": text[slice(*ROOMS)], "start": ROOMS[0], "end": ROOMS[1]}]},
        ],
        "text": text, "format": "txt", "sha256": hashlib.sha256(data).hexdigest(),
    }


def _proposed(workflow, people, text=TEXT, c=JIMI_43):
    doc = workflow.upload(people.drafter.id, text.encode(), "请示.txt",
                              lambda d, n: FileResult.from_record(_fake_suggest(d, n))).document
    return workflow.propose(people.drafter.id, doc.id, c, scope="部务会成员")


def _escalated(workflow, people):
    doc = _proposed(workflow, people)
    return workflow.escalate(people.director.id, doc.id, question="是否属于4.3？")


# --- workflow and store --------------------------------------------------------------


def test_confirm_with_passages_round_trips_and_is_audited(workflow, people, store):
    doc = _proposed(workflow, people)
    workflow.confirm(people.director.id, doc.id, passages=[ROOMS, NOMINEE, NOMINEE])
    (dec,) = store.decisions(doc.id)
    assert dec.kind == "confirm"
    # sorted, duplicates dropped, stored as offsets into the document's text
    assert dec.passages == [{"start": 12, "end": 56}, {"start": 90, "end": 116}]
    assert store.document(doc.id).text[12:56].startswith("经部务会研究")
    assert store.events(doc.id)[-1].detail["passages"] == dec.passages


@pytest.mark.parametrize("verb", ["override", "decide"])
def test_override_and_decide_store_passages(workflow, people, store, verb):
    if verb == "override":
        doc = _proposed(workflow, people, c=Classification(Level.JIMI, "4.3", 20))
        workflow.override(people.director.id, doc.id, JIMI_43,
                          reason_codes=["other"], reason="以任免公布为解密条件", passages=[{"start": 57, "end": 89}])
    else:
        doc = _escalated(workflow, people)
        workflow.decide(people.leader.id, doc.id, JIMI_43, reason_codes=["other"], reason="涉及人选",
                        passages=[(57, 89)])
    assert store.decisions(doc.id)[-1].kind == verb
    assert store.decisions(doc.id)[-1].passages == [{"start": 57, "end": 89}]


def test_passages_not_given_are_null_and_untick_all_is_empty(workflow, people, store):
    a, b = _proposed(workflow, people), _proposed(workflow, people, text=TEXT + "（另稿）")
    workflow.confirm(people.director.id, a.id)
    workflow.confirm(people.director.id, b.id, passages=[])
    assert store.decisions(a.id)[-1].passages is None
    assert "passages" not in store.events(a.id)[-1].detail
    assert store.decisions(b.id)[-1].passages == []


@pytest.mark.parametrize("bad", [
    [(-1, 5)], [(5, 5)], [(9, 3)], [(0, len(TEXT) + 1)], [(100, 10_000)], [("0", 5)],
    [(True, 5)], [(0.0, 5)], [(1, 2, 3)], [7], [{"start": 1}], [None], "0:5", {"start": 0},
])
def test_bad_offsets_are_refused_with_invalid_passage(workflow, people, store, bad):
    doc = _proposed(workflow, people)
    with pytest.raises(InvalidPassageError, match=r"^\[invalid_passage\] ") as e:
        workflow.confirm(people.director.id, doc.id, passages=bad)
    assert e.value.code == "invalid_passage" and isinstance(e.value, InvalidDecisionError)
    assert store.document(doc.id).status == "proposed"  # nothing was written
    assert store.decisions(doc.id) == []
    assert [ev.action for ev in store.events(doc.id)] == ["upload", "propose"]


def test_bad_offsets_refused_by_override_and_decide_too(workflow, people, store):
    doc = _proposed(workflow, people)
    with pytest.raises(InvalidPassageError):
        workflow.override(people.director.id, doc.id, JIMI_43, reason_codes=["other"], reason="理由",
                          passages=[(0, len(TEXT) + 5)])
    workflow.escalate(people.director.id, doc.id, question="是否属于4.3？")
    with pytest.raises(InvalidPassageError):
        workflow.decide(people.leader.id, doc.id, JIMI_43, reason_codes=["other"], reason="理由", passages=[(3, 2)])
    assert store.document(doc.id).status == "escalated"


def test_invalid_passage_is_a_registered_code():
    assert "invalid_passage" in ERROR_CODES
    assert normalize_passages(None) is None
    assert normalize_passages([(3, 4), (1, 2)], 4) == [{"start": 1, "end": 2},
                                                      {"start": 3, "end": 4}]


def test_export_carries_key_passages_of_secret_decisions(tmp_path, catalogue):
    from classifier.config import Settings

    settings = Settings(home=tmp_path)
    store = Store.open(settings)
    try:
        wf = Workflow(store, catalogue)
        from types import SimpleNamespace

        people = SimpleNamespace(drafter=wf.add_user("张承办", "drafter"),
                                 director=wf.add_user("李主任", "director"),
                                 leader=wf.add_user("王组长", "leading_group"))
        secret = _proposed(wf, people)
        wf.confirm(people.director.id, secret.id, passages=[NOMINEE, TITLE])
        plain_secret = _proposed(wf, people, text=TEXT + "（二稿）")
        wf.confirm(people.director.id, plain_secret.id)
        public = _proposed(wf, people, text=TEXT + "（三稿）")
        # The director disagrees with the drafter's level: the leading group decides (issue 12).
        routed = wf.override(people.director.id, public.id, Classification(Level.GONGKAI),
                             reason_codes=["other"], reason="已公布", passages=[NOMINEE])
        assert routed.status == "escalated"
        wf.decide(people.leader.id, public.id, Classification(Level.GONGKAI), reason_codes=["other"], reason="已公布",
                  passages=[NOMINEE])
    finally:
        store.close()
    by_id = {r["id"]: r for r in final_decision_records(settings)}
    rec = by_id[f"db-{secret.id}"]
    assert rec["passages"] == [{"kind": "key", "start": 0, "end": 11},
                               {"kind": "key", "start": 12, "end": 56}]
    assert key_spans(rec) == [TITLE, NOMINEE]  # exactly what train.py reads
    assert rec["text"][slice(*key_spans(rec)[1])].startswith("经部务会研究")
    assert "passages" not in by_id[f"db-{plain_secret.id}"]
    assert "passages" not in by_id[f"db-{public.id}"]  # only secrets train on key passages
    json.dumps(rec, ensure_ascii=False)  # a plain JSON record, as the corpus files are


# --- migration 0002 ------------------------------------------------------------------


def _head() -> str:
    """The newest revision of the migrations (what opening a store upgrades to)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    head = ScriptDirectory.from_config(cfg).get_current_head()
    assert head is not None
    return head


def _create_at_0001(url: str) -> None:
    """A database exactly as the code of revision 0001 made it, with one decision in it."""
    from alembic import command
    from alembic.config import Config

    engine = sa.create_engine(url)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0001")
            tables = sa.MetaData()
            tables.reflect(conn)
            assert "passages" not in tables.tables["decisions"].c
            now = datetime(2025, 12, 1, 8, 0, tzinfo=UTC)
            conn.execute(tables.tables["users"].insert(), [
                {"id": 1, "name": "张承办", "role": "drafter", "active": True, "created_at": now},
                {"id": 2, "name": "李主任", "role": "director", "active": True, "created_at": now},
            ])
            conn.execute(tables.tables["documents"].insert(), [
                {"id": 1, "sha256": "a" * 64, "filename": "旧.txt", "size_bytes": 3,
                 "format": "txt", "text": TEXT, "uploaded_by": 1, "uploaded_at": now,
                 "status": "confirmed", "level": "机密", "clause": "4.3", "period_years": 20,
                 "mark": "机密★20年", "updated_at": now, "version": 3},
                {"id": 2, "sha256": "b" * 64, "filename": "新.txt", "size_bytes": 3,
                 "format": "txt", "text": TEXT, "uploaded_by": 1, "uploaded_at": now,
                 "status": "proposed", "level": "机密", "clause": "4.3", "period_years": 20,
                 "mark": "机密★20年", "updated_at": now, "version": 2},
            ])
            conn.execute(tables.tables["proposals"].insert(), [
                {"document_id": d, "drafter_id": 1, "level": "机密", "clause": "4.3",
                 "period_years": 20, "mark": "机密★20年", "scope": "部务会", "note": "",
                 "created_at": now} for d in (1, 2)])
            conn.execute(tables.tables["decisions"].insert(), [
                {"document_id": 1, "kind": "confirm", "actor_id": 2, "actor_role": "director",
                 "level": "机密", "clause": "4.3", "period_years": 20, "mark": "机密★20年",
                 "reason": "", "created_at": now}])
    finally:
        engine.dispose()


def _check_upgraded(store: Store, catalogue) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    assert store.schema_revision() == _head()
    with store.db_engine.connect() as c:
        assert compare_metadata(MigrationContext.configure(c, opts={"compare_type": True}),
                                Base.metadata) == []
    (old,) = store.decisions(1)
    assert (old.kind, old.level, old.passages) == ("confirm", "机密", None)  # kept, no labels
    wf = Workflow(store, catalogue)
    wf.confirm(2, 2, passages=[NOMINEE])
    assert store.decisions(2)[-1].passages == [{"start": 12, "end": 56}]
    records = {r["id"]: r for r in decision_records(store)}
    assert "passages" not in records["db-1"]
    assert key_spans(records["db-2"]) == [NOMINEE]
    with pytest.raises(sa.exc.DatabaseError, match="append-only"), \
            store.db_engine.begin() as c:  # the 0001 triggers survived the migration
        c.exec_driver_sql("UPDATE decisions SET passages = NULL")


def test_migration_upgrades_a_database_created_at_0001(tmp_path, catalogue):
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    _create_at_0001(url)
    store = Store.from_url(url)  # opening runs the migrations
    try:
        _check_upgraded(store, catalogue)
    finally:
        store.close()
    reopened = Store.from_url(url)  # and a second open finds nothing to do
    try:
        assert reopened.schema_revision() == _head()
        assert len(reopened.decisions()) == 2
    finally:
        reopened.close()


def test_migration_0002_downgrades_and_upgrades_again(tmp_path):
    from alembic import command
    from alembic.config import Config

    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    Store.from_url(url).close()
    engine = sa.create_engine(url)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0001")
        with engine.connect() as conn:
            cols = {c["name"] for c in sa.inspect(conn).get_columns("decisions")}
            assert "passages" not in cols
    finally:
        engine.dispose()
    store = Store.from_url(url)
    try:
        assert store.schema_revision() == _head()
    finally:
        store.close()


def test_store_on_postgresql_upgrades_0001_and_keeps_passages(pg_url, catalogue):
    """The same migration and round trip on PostgreSQL (``DINGMI_DATABASE_URL``)."""
    _create_at_0001(pg_url)
    store = Store.from_url(pg_url)
    try:
        _check_upgraded(store, catalogue)
    finally:
        with store.db_engine.begin() as c:  # leave the session cluster empty for other tests
            c.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        store.close()


# --- the CLI -------------------------------------------------------------------------


def _cli(*args, code=0):
    from classifier.cli import main

    res = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert res.exit_code == code, res.output
    return res


@pytest.fixture()
def cli_doc(app_env, tmp_path, monkeypatch):
    from tests.test_cli_workflow import make_team

    make_team(monkeypatch, (("张承办", "drafter"), ("李主任", "director"),
                            ("王组长", "leading_group")))
    f = tmp_path / "请示.txt"
    f.write_text(TEXT, encoding="utf-8")
    rec = json.loads(_cli("review", "upload", str(f), "--as", "张承办", "--json").stdout)
    doc_id = str(rec["document_id"])
    _cli("review", "propose", doc_id, "--as", "张承办", "--level", "机密", "--clause", "4.3",
         "--scope", "部务会成员")
    return doc_id


def _cli_decisions(doc_id: str):
    store = Store.from_url(os.environ["DINGMI_DATABASE_URL"])
    try:
        return store.decisions(int(doc_id))
    finally:
        store.close()


def test_cli_confirm_with_repeated_passage(cli_doc):
    res = _cli("review", "confirm", cli_doc, "--as", "李主任", "--passage", "90:116",
               "--passage", "12:56", "--json")
    assert json.loads(res.stdout)["status"] == "confirmed"
    assert _cli_decisions(cli_doc)[-1].passages == [{"start": 12, "end": 56},
                                                   {"start": 90, "end": 116}]


def test_cli_override_and_decide_take_passages(cli_doc):
    _cli("review", "escalate", cli_doc, "--as", "李主任", "--question", "是否绝密？")
    _cli("review", "decide", cli_doc, "--as", "王组长", "--level", "绝密", "--clause", "4.3",
         "--years", "30", "--reason-code", "other", "--reason", "涉及主要负责人", "--passage", "12:56")
    assert _cli_decisions(cli_doc)[-1].passages == [{"start": 12, "end": 56}]


def test_cli_bad_passages(cli_doc):
    res = _cli("review", "confirm", cli_doc, "--as", "李主任", "--passage", "12-56", code=2)
    assert "[usage_error]" in res.output and "起点:终点" in res.output
    res = _cli("review", "override", cli_doc, "--as", "李主任", "--level", "秘密", "--clause",
               "4.3", "--years", "10", "--reason-code", "other", "--reason", "理由", "--passage", f"0:{len(TEXT) + 1}", "--json",
               code=1)
    assert json.loads(res.stdout.splitlines()[0])["error"]["code"] == "invalid_passage"
    assert "[invalid_passage]" in res.output
    assert _cli_decisions(cli_doc) == []


# --- the review page -----------------------------------------------------------------


def test_passage_choices_tick_the_suggested_evidence_in_chinese():
    from app_pages.common import passage_choices

    ch = passage_choices(TEXT, _fake_suggest(TEXT.encode(), "a.txt"), "4.3")
    assert ch.options == [TITLE, NOMINEE, SUPPLIES, ROOMS]
    assert ch.ticked == [NOMINEE]  # the proposed clause's evidence, not the 内部 candidate's
    assert ch.labels[NOMINEE].startswith("2．【系统依据】〔段落〕经部务会研究")
    assert ch.labels[SUPPLIES].startswith("3．〔条目〕一、关于办公用品采购")
    assert not any(ch.isascii() and ch.isalpha() for lab in ch.labels.values() for ch in lab)
    # evidence that is not exactly a passage is offered (and ticked) on its own
    odd = {"candidates": [{"clause": "4.3", "evidence": [{"start": 12, "end": 36}]}]}
    ch = passage_choices(TEXT, odd, None)
    assert (12, 36) in ch.options and ch.ticked == [(12, 36)]
    assert "〔依据句〕" in ch.labels[(12, 36)]
    assert passage_choices(TEXT, None).ticked == []
    # a 内部 suggestion's evidence (say the signature line) is not ticked as making it secret
    neibu = {"candidates": [{"clause": None, "level": "内部",
                             "evidence": [{"start": 12, "end": 36}]}]}
    ch = passage_choices(TEXT, neibu, None)
    assert ch.ticked == [] and not any("【系统依据】" in lab for lab in ch.labels.values())


def _app() -> AppTest:
    return AppTest.from_file(str(REPO / "app.py"), default_timeout=60)


def _ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def _as(at: AppTest, name: str) -> AppTest:
    from tests.conftest import app_login

    return _ok(app_login(at, name))


@pytest.fixture()
def app_wf(app_env, catalogue):
    from tests.conftest import ready_demo_users

    at = _ok(_app().run())  # creates the database and the demo users
    ready_demo_users()
    wf = Workflow(Store.from_url(os.environ["DINGMI_DATABASE_URL"]), catalogue)
    yield at, wf
    wf.store.close()


def _app_proposed(wf, suggester, text=TEXT):
    u = wf.store.user_by_name("张承办")
    doc = wf.upload(u.id, text.encode(), "请示.txt", suggester.suggest_upload).document
    return wf.propose(u.id, doc.id, JIMI_43, scope="部务会成员")


def test_app_director_ticks_a_passage_and_confirms(app_wf, suggester):
    at, wf = app_wf
    doc = _app_proposed(wf, suggester)
    _as(at, "李主任")
    picker = at.multiselect(key=f"review_{doc.id}_passages")
    assert picker.options[0].startswith("1．") and len(picker.options) >= 4
    cands = wf.store.latest_suggestion(doc.id).payload["candidates"]
    shown = next((c for c in cands if c["clause"] == "4.3"), cands[0])  # the proposed clause's
    assert sorted(picker.value) == sorted({(e["start"], e["end"]) for e in shown["evidence"]})
    for o in list(picker.value):
        picker.unselect(o)
    picker.select(NOMINEE).select(SUPPLIES)
    _ok(at.run())
    assert sorted(at.multiselect(key=f"review_{doc.id}_passages").value) == [NOMINEE, SUPPLIES]
    _ok(submit_confirmed(at, "确认拟定意见"))
    assert any("已确认" in s.value for s in at.success)
    (dec,) = wf.store.decisions(doc.id)
    assert dec.kind == "confirm"
    assert dec.passages == [{"start": 12, "end": 56}, {"start": 57, "end": 89}]


def test_app_director_unticks_every_passage_and_overrides(app_wf, suggester):
    at, wf = app_wf
    doc = _app_proposed(wf, suggester)
    _as(at, "李主任")
    at.multiselect(key=f"review_{doc.id}_passages").set_value([ROOMS])
    _ok(at.run())
    [t for t in at.text_area if t.label.startswith("变更理由")][0].input("仅涉及会议安排")
    pick_reasons(at)
    [s for s in at.selectbox if s.label == "密级" and s.key.startswith("override")][0].select("内部")
    [s for s in at.selectbox if s.label.startswith("定密依据") and s.key.startswith("override")
     ][0].select("")
    _ok(submit_confirmed(at, "变更"))
    (dec,) = wf.store.decisions(doc.id)
    # Another level than the drafter's: routed to the leading group (issue 12), with the
    # passages the director ticked kept for its decision and for retraining.
    assert (dec.kind, dec.level, dec.passages) == ("escalate", "内部", [{"start": 90, "end": 116}])
    assert wf.store.document(doc.id).status == "escalated"
