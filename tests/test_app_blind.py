"""Streamlit AppTest of blind mode (issue 14 §3, issue 15 §3): with DINGMI_BLIND_SHARE=1 the
drafter's page shows no suggestion and no pre-filled level before the proposal, the batch
table shows 盲评, the director records an independent judgement before the review, and the
overview reports blind and shown agreement apart."""

from __future__ import annotations

import os

import pytest

from classifier.catalogue import Level
from classifier.config import DecisionPolicy
from classifier.store import Store
from classifier.workflow import Classification, Workflow
from tests.conftest import ready_demo_users
from tests.test_app import TEXT, _app, _as, _ok, _texts


@pytest.fixture()
def blind_at(app_env, monkeypatch):
    """The app with every new draft drawn blind, the drafter logged in."""
    monkeypatch.setenv("DINGMI_BLIND_SHARE", "1")
    at = _ok(_app().run())
    ready_demo_users()
    return _as(at, "张承办")


@pytest.fixture()
def blind_wf(blind_at, catalogue):
    """The app's database, through a workflow that also draws every draft blind."""
    w = Workflow(Store.from_url(os.environ["DINGMI_DATABASE_URL"]), catalogue,
                 decision=DecisionPolicy(blind_share=1.0))
    yield w
    w.store.close()


def _shown_text(at) -> str:
    """Everything the page shows as text outside the form's option lists."""
    kinds = ("markdown", "caption", "info", "success", "warning", "subheader", "metric")
    parts = [str(getattr(e, "value", "")) for k in kinds for e in at.get(k)]
    return "\n".join(parts + [h.proto.body for h in at.main.html])


def test_app_blind_drafter_sees_no_suggestion_until_the_proposal(blind_at, blind_wf):
    at = blind_at
    at.file_uploader[0].set_value([("请示.txt", TEXT.encode(), "text/plain")])
    _ok(at.run())
    (doc,) = blind_wf.store.summaries()
    assert doc.blind
    sug = blind_wf.store.latest_suggestion(doc.id)
    assert sug is not None and sug.level and sug.clause  # stored, only withheld

    assert not at.metric  # no 建议密级, no 置信度
    assert any("盲评抽样" in i and "提交后可查看系统建议" in i for i in _texts(at, "info"))
    shown = _shown_text(at)
    assert "拟提名张某某同志" in shown  # the text is there
    assert "<mark" not in shown  # no evidence highlights
    assert "定密依据**：" not in shown and "密级标志" not in shown and "模型版本" not in shown
    title = blind_wf.catalogue.get(sug.clause).title
    assert title not in shown
    level = [s for s in at.selectbox if s.label == "密级"][0]
    clause = [s for s in at.selectbox if s.label.startswith("定密依据")][0]
    assert level.value is None and clause.value == ""  # nothing pre-filled
    assert [n.value for n in at.number_input if n.label == "保密期限（年）"] == [0]

    # submitting without a level: a plain sentence, nothing proposed
    _ok(at.button[0].click().run())
    assert any("选择密级" in e for e in _texts(at, "error"))
    assert blind_wf.store.summaries()[0].status == "uploaded"

    [s for s in at.selectbox if s.label == "密级"][0].select("机密")
    [s for s in at.selectbox if s.label.startswith("定密依据")][0].select("4.3")
    [t for t in at.text_input if t.label == "知悉范围"][0].input("部务会成员")
    _ok(at.button[0].click().run())
    assert any("已提交审核" in s for s in _texts(at, "success"))
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["建议密级"] == sug.level  # after the proposal the suggestion is shown
    assert blind_wf.store.document(doc.id).level == "机密"


def test_app_blind_batch_table_shows_blind_rows(blind_at, blind_wf):
    at = blind_at
    files = [("批量1.txt", TEXT.encode(), "text/plain"),
             ("批量2.txt", (TEXT + "另附名单一份。").encode(), "text/plain")]
    at.file_uploader[0].set_value(files)
    _ok(at.run())
    (table,) = at.data_editor
    rows = table.value
    assert list(rows["建议密级"]) == ["盲评", "盲评"]
    assert list(rows["建议依据"]) == ["盲评", "盲评"]
    assert list(rows["置信度"]) == ["盲评", "盲评"]
    assert list(rows["提交"]) == [False, False]  # not proposed "as suggested"
    assert all(v in ("", None) or v != v for v in rows["拟定密级"])  # no level filled in
    assert any("不能直接采用建议" in i for i in _texts(at, "info"))
    assert at.button(key="draft_batch_submit").disabled
    for s in blind_wf.store.summaries():
        sug = blind_wf.store.latest_suggestion(s.id)
        assert f"{sug.confidence:.0%}" not in set(rows["置信度"])


def test_app_blind_director_judges_before_the_review(blind_at, blind_wf, suggester):
    drafter = blind_wf.store.user_by_name("张承办")
    doc = blind_wf.upload(drafter.id, TEXT.encode(), "请示.txt", suggester.suggest_upload).document
    blind_wf.propose(drafter.id, doc.id, Classification(Level.JIMI, "4.3", None, "任免正式公布后"),
                     scope="部务会成员")
    sug = blind_wf.store.latest_suggestion(doc.id)
    at = _as(blind_at, "李主任")
    rows = at.dataframe[0].value
    assert list(rows["系统建议"]) == ["盲评"]
    assert list(rows[""]) == [""]  # no ⚠: it would say what the model suggested
    assert not at.metric
    assert "先作出独立判断" in _texts(at, "subheader")
    assert "系统建议" not in _texts(at, "subheader")
    assert [b.label for b in at.main.button] == ["记录独立判断"]  # no confirm/override yet
    assert blind_wf.catalogue.get(sug.clause).title not in _shown_text(at)

    [s for s in at.selectbox if s.key == f"judge_{doc.id}_level"][0].select("秘密")
    [s for s in at.selectbox if s.key == f"judge_{doc.id}_clause"][0].select("4.5")
    _ok([b for b in at.button if b.label == "记录独立判断"][0].click().run())
    (j,) = blind_wf.store.judgements(doc.id)
    assert (j.level, j.clause) == ("秘密", "4.5")
    assert any("已记录" in s for s in _texts(at, "success"))
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["建议密级"] == sug.level  # the normal review now
    assert "确认拟定意见" in [b.label for b in at.main.button]
    assert list(at.dataframe[0].value["系统建议"])[0].startswith(sug.level)
    assert any(c.startswith("您的独立判断（盲评）：秘密") for c in _texts(at, "caption"))


def test_app_overview_reports_blind_and_shown_agreement(blind_at, blind_wf, suggester, catalogue):
    drafter = blind_wf.store.user_by_name("张承办")
    shown = Workflow(blind_wf.store, catalogue, decision=DecisionPolicy(blind_share=0.0))
    for wf, text in ((blind_wf, TEXT), (shown, TEXT + "（另稿）")):
        doc = wf.upload(drafter.id, text.encode(), "请示.txt", suggester.suggest_upload).document
        level = wf.store.latest_suggestion(doc.id).level
        c = Classification(Level.from_label(level), "4.3" if level != "公开" else None)
        wf.propose(drafter.id, doc.id, c, scope="部务会成员")
    at = _as(blind_at, "王组长")
    at.switch_page("app_pages/overview.py")
    _ok(at.run())
    frames = [d.value for d in at.dataframe if "组别" in d.value.columns]
    assert frames, "the blind vs shown table"
    table = frames[0]
    assert list(table["组别"]) == ["盲评", "显示建议"]
    assert at.selectbox(key="ov_comp").value == ("model", "drafter")
    assert list(table["文件数"]) == [1, 1]
    assert list(table["原始一致率"]) == ["100%", "100%"]
    assert any(m.label.startswith("差值") and "0.0 个百分点" in m.value for m in at.metric)
