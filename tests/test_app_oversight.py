"""Streamlit AppTest of the oversight views (issue 14): the overview page (counts, charts,
κ, the consistency alarm, XLSX) and the model page's simulation, promotion and rollback."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from classifier.store import Store
from classifier.workflow import Workflow
from tests.conftest import app_login, ready_demo_users
from tests.registers import Entry, invented_register, near_duplicate, store_register

REPO = Path(__file__).resolve().parent.parent
LEVELS = ["公开", "内部", "秘密", "机密", "绝密"]
CLAUSES = {"秘密": "4.5", "机密": "4.3", "绝密": "4.1"}


def _ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def _texts(at: AppTest, kind: str) -> list[str]:
    return [e.value for e in at.get(kind)]


def _seed_register(n: int = 40) -> dict[str, int]:
    """A register in the app's database: ``n`` settled documents, one overridden, one
    waiting, and a near-identical copy of a 机密 document settled as 公开."""
    store = Store.from_url(os.environ["DINGMI_DATABASE_URL"])
    try:
        drafter = store.user_by_name("张承办")
        director = store.user_by_name("李主任")
        texts = invented_register(n + 2, seed=7, chars=500)
        entries = [Entry(t, LEVELS[i % 5], CLAUSES.get(LEVELS[i % 5]),
                         suggested=(LEVELS[(i + (i % 7 == 0)) % 5],
                                    CLAUSES.get(LEVELS[(i + (i % 7 == 0)) % 5])),
                         years=10 if LEVELS[i % 5] in CLAUSES else None)
                   for i, t in enumerate(texts[:n])]
        entries.append(Entry(texts[n], "机密", "4.3", proposed=("秘密", "4.5"), kind="override",
                             reason="属于市管干部汇总名单", years=10, filename="干部名单.txt",
                             reason_code="higher_level"))
        entries.append(Entry(texts[n + 1], "秘密", "4.5", status="proposed",
                             filename="待审核的请示.txt"))
        entries.append(Entry(near_duplicate(texts[3], edits=2), "公开", None,
                             filename="同一通知.txt"))
        ids = store_register(store, entries, drafter_id=drafter.id, director_id=director.id)
    finally:
        store.close()
    return {"original": ids[3], "copy": ids[-1], "override": ids[n]}


@pytest.fixture()
def overview_at(app_env) -> tuple[AppTest, dict[str, int]]:
    at = _ok(AppTest.from_file(str(REPO / "app.py"), default_timeout=60).run())
    ready_demo_users()
    ids = _seed_register()
    at = app_login(at, "王组长")
    return _ok(at.switch_page("app_pages/overview.py").run()), ids


def test_overview_page_shows_counts_charts_agreement_and_the_alarm(overview_at):
    at, ids = overview_at
    assert _texts(at, "title") == ["定密概况"]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["台账文件"] == "43" and metrics["已定密"] == "42"
    assert metrics["待审核"] == "1"
    # level, clause, month, reasons per clause, confusion matrix, overrides
    assert len(at.get("vega_lite_chart")) >= 6
    assert metrics["κ"] not in ("—", "") and float(metrics["κ"]) < 1.0
    # the alarm lists the copy against its original, higher level first
    alarm = at.dataframe[-1].value
    assert list(alarm["文件甲"]) == [f"#{ids['original']} 文件00003.txt"]
    assert list(alarm["文件乙"]) == [f"#{ids['copy']} 同一通知.txt"]
    assert list(alarm["甲的决定"]) == ["机密 4.3"] and list(alarm["乙的决定"]) == ["公开"]
    side_by_side = " ".join(_texts(at, "markdown") + [h.proto.body for h in at.get("html")])
    assert "同一通知.txt" in side_by_side and "文件00003.txt" in side_by_side
    # the change of the drafter's proposal is listed with its reason
    changes = [d.value for d in at.dataframe if "理由" in d.value.columns]
    assert list(changes[0]["理由"]) == ["属于市管干部汇总名单"]
    assert list(changes[0]["理由类别"]) == ["应定更高密级"]


def test_overview_comparison_and_xlsx(overview_at):
    at, _ = overview_at
    at.selectbox(key="ov_comp").select(("drafter", "decision"))
    at.radio(key="ov_on").set_value("clause")
    at = _ok(at.run())
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["文件数"] == "42"
    data = at.get("download_button")[0].proto
    assert data.label == "导出 Excel"


def test_overview_xlsx_bytes_from_the_library(app_env):
    """The page's export is the library's workbook (AppTest cannot click a download)."""
    from classifier.workflow import Workflow
    from classifier.workflow.overview import overview, overview_xlsx

    _ok(AppTest.from_file(str(REPO / "app.py"), default_timeout=60).run())
    ready_demo_users()
    _seed_register()
    wf = Workflow(Store.from_url(os.environ["DINGMI_DATABASE_URL"]))
    try:
        wb = load_workbook(io.BytesIO(overview_xlsx(overview(wf, wf.user_by_name("王组长").id))))
    finally:
        wf.store.close()
    assert dict(wb["概况"].iter_rows(min_row=2, max_row=3, values_only=True))["台账文件总数"] == 43


def test_overview_is_not_for_the_clerk(overview_at):
    at, _ = overview_at
    at = app_login(at, "陈机要")
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("app_pages/overview.py")


# --- the model page: simulation before a switch, promotion, roll-back -------------------------


@pytest.fixture()
def switch_home(tmp_path, monkeypatch, make_version, golden_set):
    """A data home with two registered copies of the session model (``base`` active,
    ``candidate``) and a register of 30 golden-set drafts settled as labelled."""
    from classifier.training.registry import Registry

    home = tmp_path / "home"
    (home / "models").mkdir(parents=True)
    make_version(home / "models", "base")
    make_version(home / "models", "candidate")
    Registry(home / "models").promote("base")
    monkeypatch.setenv("DINGMI_HOME", str(home))
    monkeypatch.setenv("DINGMI_DATABASE_URL", f"sqlite:///{tmp_path / 'app.sqlite3'}")
    at = _ok(AppTest.from_file(str(REPO / "app.py"), default_timeout=90).run())
    ready_demo_users()
    store = Store.from_url(os.environ["DINGMI_DATABASE_URL"])
    try:
        store_register(store, [Entry(g["text"], g["level"], g.get("clause"), years=10)
                               for g in golden_set[:30]],
                       drafter_id=store.user_by_name("张承办").id,
                       director_id=store.user_by_name("李主任").id)
    finally:
        store.close()
    at = app_login(at, "李主任")
    return _ok(at.switch_page("app_pages/model.py").run()), home


def test_model_page_promotes_only_after_the_simulation_was_seen(switch_home):
    from classifier.training.registry import Registry

    at, home = switch_home
    reg = Registry(home / "models")
    assert at.selectbox(key="sim_version").value == "candidate"
    assert at.button(key="sim_promote").disabled  # not simulated yet
    at = _ok(at.button(key="sim_run").click().run())
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["重放文件"] == "30" and metrics["建议将改变"] == "0"
    assert any("完全相同" in s for s in _texts(at, "success"))
    assert not at.button(key="sim_promote").disabled
    at = _ok(at.button(key="sim_promote").click().run())
    assert reg.active_name() == "candidate"
    assert any("已启用模型版本 candidate" in s for s in _texts(at, "success"))
    at = _ok(at.button(key="sim_rollback").click().run())
    assert reg.active_name() == "base"
    wf = Workflow(Store.from_url(os.environ["DINGMI_DATABASE_URL"]))
    try:
        events = [(e.action, e.detail["version"]) for e in wf.store.events()
                  if e.action.startswith("model_")]
    finally:
        wf.store.close()
    assert events == [("model_promote", "candidate"), ("model_rollback", "base")]


def test_model_page_switch_is_for_the_director(switch_home):
    at, _ = switch_home
    at = app_login(at, "王组长")
    at = _ok(at.switch_page("app_pages/model.py").run())
    at = _ok(at.button(key="sim_run").click().run())  # the leading group may simulate
    assert {m.label: m.value for m in at.metric}["重放文件"] == "30"
    assert at.button(key="sim_promote").disabled and at.button(key="sim_rollback").disabled


def test_model_page_simulates_a_new_catalogue(switch_home, repo_dir):
    at, _ = switch_home
    src = (repo_dir / "corpus" / "catalogue.toml").read_text(encoding="utf-8")
    head, sep, rest = src.partition('id = "4.3"')
    lowered = (head + sep + rest.replace('level = "机密"', 'level = "秘密"', 1)).replace(
        'version = "2023.1"', 'version = "2024.1"', 1)
    charts_before = len(at.get("vega_lite_chart"))
    at.file_uploader(key="sim_catalogue").set_value(
        [("catalogue-2024.toml", lowered.encode(), "application/toml")])
    at = _ok(at.button(key="sim_run").click().run())
    metrics = {m.label: m.value for m in at.metric}
    assert int(metrics["建议将改变"]) > 0 and int(metrics["调低"]) == int(metrics["建议将改变"])
    [table] = [d.value for d in at.dataframe if "新建议" in d.value.columns]
    flags = list(table[""])
    assert flags == sorted(flags, reverse=True) and flags[0] == "⚠ 漏定"  # under first
    assert set(table["新建议"].str.split().str[0]) == {"秘密"}
    assert len(at.get("vega_lite_chart")) == charts_before + 1  # the per-clause chart
    # a catalogue simulation does not count as having seen the candidate version
    assert at.button(key="sim_promote").disabled


# --- the register's "person ≠ model" filter and the notice at decision time --------------------


def test_records_filter_person_differs_from_model(overview_at):
    at, _ = overview_at
    at = app_login(at, "陈机要")  # the clerk keeps the register
    at = _ok(at.switch_page("app_pages/records.py").run())
    assert "共 43 条" in _texts(at, "caption")
    at.checkbox(key="rec_differs").check()
    at = _ok(at.run())
    # documents 0, 7, …, 35 of the seeded register were suggested one level up
    assert "共 6 条" in _texts(at, "caption")


def test_review_page_tells_of_a_near_identical_settled_document(overview_at):
    at, ids = overview_at
    store = Store.from_url(os.environ["DINGMI_DATABASE_URL"])
    try:
        original = store.document(ids["original"])
        [copy] = store_register(
            store, [Entry(near_duplicate(original.text, seed=9, edits=2), "秘密", "4.5",
                          status="proposed", filename="又一份通知.txt")],
            drafter_id=store.user_by_name("张承办").id,
            director_id=store.user_by_name("李主任").id)
    finally:
        store.close()
    at = app_login(at, "赵副主任")
    at = _ok(at.switch_page("app_pages/review.py").run())
    at.selectbox(key="review_doc").set_value(copy)
    at = _ok(at.run())
    notes = [w.replace("\\", "") for w in _texts(at, "warning") if "相似度" in w]
    # the original and its settled near-copy, most similar first
    assert len(notes) == 2
    assert "《文件00003.txt》与本件相似度" in notes[0] and "已定为机密（依据 4.3）" in notes[0]
    assert "《同一通知.txt》" in notes[1] and "已定为公开" in notes[1]


# --- the model page: recurring reasons and proposed catalogue edits (issue 14 §1) -------------

#: Public notices that carry clause 4.5's cue “谈话” and no other 4.5 cue.
NOTICES = [f"关于开展集体谈话活动的通知{i}：请各单位按时组织，结果在网站公布。" for i in "甲乙丙"]


@pytest.fixture()
def reasons_home(tmp_path, monkeypatch, make_version):
    """A data home with the session model active and three overrides of clause 4.5 drafts
    to 内部, each because the matter is already public."""
    from classifier.training.registry import Registry

    home = tmp_path / "home"
    (home / "models").mkdir(parents=True)
    make_version(home / "models", "base")
    Registry(home / "models").promote("base")
    monkeypatch.setenv("DINGMI_HOME", str(home))
    monkeypatch.setenv("DINGMI_DATABASE_URL", f"sqlite:///{tmp_path / 'app.sqlite3'}")
    at = _ok(AppTest.from_file(str(REPO / "app.py"), default_timeout=90).run())
    ready_demo_users()
    store = Store.from_url(os.environ["DINGMI_DATABASE_URL"])
    try:
        store_register(store, [Entry(t, "内部", None, proposed=("秘密", "4.5"), kind="override",
                                     reason="已在网站公布", reason_code="already_public",
                                     filename=f"通知{i}.txt") for i, t in enumerate(NOTICES)],
                       drafter_id=store.user_by_name("张承办").id,
                       director_id=store.user_by_name("李主任").id)
    finally:
        store.close()
    return at, home


def test_model_page_lists_recurring_reasons_and_accepts_an_edit(reasons_home):
    from classifier.catalogue import load_catalogue

    at, home = reasons_home
    at = app_login(at, "李主任")
    at = _ok(at.switch_page("app_pages/model.py").run())
    assert "反复出现的变更理由" in _texts(at, "subheader")
    [counts] = [d.value for d in at.dataframe if "理由" in d.value.columns
                and "次数" in d.value.columns]
    assert list(counts["定密依据"]) == ["4.5"] and list(counts["理由"]) == ["内容已公开"]
    assert list(counts["次数"]) == [3]
    proposal = " ".join(_texts(at, "markdown"))
    assert "条款 4.5：删除提示词“谈话”" in proposal.replace("\\", "")
    at = _ok(at.button(key="reasons_accepted_0_4.5_remove").click().run())
    store = Store.from_url(os.environ["DINGMI_DATABASE_URL"])
    try:
        (edit,) = store.catalogue_edits()
        assert (edit.clause, edit.action, edit.term, edit.outcome) == (
            "4.5", "remove", "谈话", "accepted")
        assert store.events()[-1].action == "catalogue_edit"
    finally:
        store.close()
    (path,) = (home / "catalogue").glob("catalogue-*.toml")
    assert "谈话" not in load_catalogue(path).get("4.5").cues
    assert any(path.name in s.replace("\\", "") for s in _texts(at, "success") + _texts(at, "info"))
    assert "目前没有待处理的修改建议。" in _texts(at, "caption")


def test_model_page_reasons_are_read_only_for_the_leading_group(reasons_home):
    at, _ = reasons_home
    at = app_login(at, "王组长")
    at = _ok(at.switch_page("app_pages/model.py").run())
    assert at.button(key="reasons_accepted_0_4.5_remove").disabled
    assert at.button(key="reasons_rejected_0_4.5_remove").disabled
    assert "修改建议由办公室主任处理。" in _texts(at, "caption")
