"""Streamlit AppTest for each page: first start, the round trip, permissions, inert display."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from classifier.catalogue import Level
from classifier.extract import ocr
from classifier.store import Store
from classifier.workflow import Classification, Role, Workflow
from classifier.workflow.demo import DEMO_USERS
from tests import builders as b
from tests.conftest import (
    PASSWORD,
    app_login,
    install_model,
    pick_reasons,
    ready_demo_users,
    submit_confirmed,
)

REPO = Path(__file__).resolve().parent.parent

PAGES = ["app_pages/draft.py", "app_pages/review.py", "app_pages/leading_group.py",
         "app_pages/records.py", "app_pages/model.py", "app_pages/overview.py"]
TEXT = (
    "关于拟任干部人选的请示\n经部务会研究，拟提名张某某同志为市财政局局长人选。"
    "以上人选尚未公布，请严格控制知悉范围。"
)
EVIL = (
    "关于拟任干部人选的请示\n<script>window.__xss = 1</script>\n"
    "<img src=x onerror=\"window.__xss = 2\">\n"
    "[点我查看](http://evil.example/steal) ![追踪](http://evil.example/p.png) **粗体** "
    "<b>加粗</b>\n经部务会研究，拟提名张某某同志为市财政局局长人选，尚未公布。"
)
EVIL_NAME = "<img src=x onerror=alert(1)>[点我](http://evil.example).txt"


def _app() -> AppTest:
    return AppTest.from_file(str(REPO / "app.py"), default_timeout=60)


def _ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def _as(at: AppTest, name: str) -> AppTest:
    return _ok(app_login(at, name))


def _db_workflow(catalogue) -> Workflow:
    return Workflow(Store.from_url(os.environ["DINGMI_DATABASE_URL"]), catalogue)


def _user(wf: Workflow, name: str):
    return wf.store.user_by_name(name)


def _texts(at: AppTest, kind: str) -> list[str]:
    return [e.value for e in at.get(kind)]


def _codes(at: AppTest) -> list[str]:
    """The stable codes folded under 技术细节 beside the errors and warnings shown."""
    body = " ".join(h.proto.body for h in at.html if "dm-detail" in h.proto.body)
    return re.findall(r"<code>([a-z_]+)</code>", body)


def _plain_chinese(at: AppTest) -> None:
    """Every error and warning is a sentence without an internal ``[code]`` prefix."""
    for text in _texts(at, "error") + _texts(at, "warning"):
        assert not re.search(r"\[[a-z_]+\]|\b[a-z]+_[a-z_]+\b", text.replace("\\", "")), text


@pytest.fixture()
def at(app_env) -> AppTest:
    """The app after its first run (database and demo users created), the drafter logged in."""
    at = _ok(_app().run())
    ready_demo_users()
    return _as(at, "张承办")


@pytest.fixture()
def wf(at, catalogue):
    w = _db_workflow(catalogue)
    yield w
    w.store.close()


def _proposed(wf, suggester, text=TEXT, by="张承办", c=None):
    u = _user(wf, by)
    doc = wf.upload(u.id, text.encode(), "请示.txt", suggester.suggest_upload).document
    return wf.propose(u.id, doc.id, c or Classification(Level.JIMI, "4.3", None, "任免正式公布后"),
                      scope="部务会成员")


def test_app_first_start_creates_database_and_demo_users(at, app_env):
    assert app_env.is_file()
    store = Store.from_url(os.environ["DINGMI_DATABASE_URL"])
    try:
        assert [(u.name, u.role) for u in store.users()] == [(n, r.value) for n, r in DEMO_USERS]
    finally:
        store.close()
    assert _texts(at, "title") == ["拟定密级"]
    assert [b.key for b in at.sidebar.button] == ["logout"]


def test_app_without_a_session_shows_only_the_login_page(app_env):
    from classifier.workflow.demo import DEMO_PASSWORD

    at = _ok(_app().run())
    assert _texts(at, "title") == ["定密助手 · 登录"]
    assert not at.file_uploader and not at.dataframe and not at.sidebar.button
    at = _ok(app_login(at, "张承办", "Wrong-pass-2026"))
    assert "authentication_failed" in _codes(at) and any("口令" in e for e in _texts(at, "error"))
    _plain_chinese(at)
    assert _texts(at, "title") == ["定密助手 · 登录"]
    # a demo user's documented first password works once, and must be changed at once
    at = _ok(app_login(at, "张承办", DEMO_PASSWORD))
    assert _texts(at, "title") == ["修改口令"]
    at.text_input(key="pw_old").input(DEMO_PASSWORD)
    at.text_input(key="pw_new").input(PASSWORD)
    at.text_input(key="pw_again").input(PASSWORD)
    at = _ok([b for b in at.button if b.label == "修改口令"][0].click().run())
    assert _texts(at, "title") == ["拟定密级"]


def test_app_session_survives_a_reload_and_ends_at_logout(at):
    token = at.session_state["_token"]
    again = _app()
    again.query_params["s"] = token  # a reload or a bookmark: a new browser session
    assert _texts(_ok(again.run()), "title") == ["拟定密级"]
    _ok(at.sidebar.button(key="logout").click().run())
    assert _texts(at, "title") == ["定密助手 · 登录"]
    stale = _app()
    stale.query_params["s"] = token
    stale = _ok(stale.run())
    assert _texts(stale, "title") == ["定密助手 · 登录"]
    assert "session_expired" in _codes(stale) and any("请重新登录" in w for w in _texts(stale, "warning"))
    _plain_chinese(stale)


def test_app_session_ends_after_the_idle_time(app_env, monkeypatch):
    import time

    monkeypatch.setenv("DINGMI_SESSION_IDLE_MINUTES", "0.01")  # 0.6 s
    at = _ok(_app().run())
    ready_demo_users()
    at = _as(at, "李主任")
    assert _texts(at, "title") == ["审核"]
    time.sleep(1.0)
    at = _ok(at.run())
    assert _texts(at, "title") == ["定密助手 · 登录"]
    assert any("会话已结束" in w for w in _texts(at, "warning"))


#: Need to know: the pages each role may open (the drafter never sees others' drafts; the
#: three administrators never see a document).
VISIBLE = {
    Role.DRAFTER: {"app_pages/draft.py"},
    Role.DIRECTOR: {"app_pages/draft.py", "app_pages/review.py", "app_pages/records.py",
                    "app_pages/model.py", "app_pages/overview.py"},
    Role.LEADING_GROUP: {"app_pages/leading_group.py", "app_pages/records.py", "app_pages/model.py",
                         "app_pages/overview.py"},
    Role.CLERK: {"app_pages/records.py"},
    Role.SYSADMIN: {"app_pages/accounts.py"},
    Role.SECADMIN: {"app_pages/accounts.py"},
    Role.AUDITOR: {"app_pages/audit.py"},
}


@pytest.mark.parametrize("user", [name for name, _ in DEMO_USERS])
def test_app_each_role_sees_exactly_its_pages(at, user):
    role = dict(DEMO_USERS)[user]
    _as(at, user)
    for page in [*PAGES, "app_pages/accounts.py", "app_pages/audit.py"]:
        if page in VISIBLE[role]:
            _ok(at.switch_page(page).run())
            assert len(at.title) == 1
            assert at.caption  # each page explains itself in a line or two
        else:
            with pytest.raises(ValueError, match="Could not find a navigation page"):
                at.switch_page(page)


def test_app_administrators_manage_accounts_and_audit_without_documents(at, wf, suggester):
    doc = _proposed(wf, suggester)
    at = _as(at, "系统管理员")
    assert _texts(at, "title") == ["账户管理"]
    page = str([d.value for d in at.dataframe]) + str(_texts(at, "markdown"))
    assert "张承办" in page and TEXT[:10] not in page and "请示.txt" not in page
    at.text_input(key="acc_name").input("孙承办")
    at.text_input(key="acc_pw").input("First-pass-2026")
    at = _ok([b for b in at.button if b.label == "添加"][0].click().run())
    new = wf.store.user_by_name("孙承办")
    assert new.role == "none" and new.must_change_password
    at = _as(at, "安全保密管理员")
    at.selectbox(key="role_target").set_value(new.id)
    at.selectbox(key="role_value").set_value("auditor")
    at = _ok([b for b in at.button if b.label == "分配"][0].click().run())
    assert wf.store.user_by_name("孙承办").role == "auditor"
    at.selectbox(key="role_target").set_value(new.id)
    at.selectbox(key="role_value").set_value("sysadmin")
    at = _ok([b for b in at.button if b.label == "分配"][0].click().run())
    assert "duty_conflict" in _codes(at)
    _plain_chinese(at)
    at = _as(at, "安全审计员")
    assert _texts(at, "title") == ["审计记录"]
    assert any("审计记录完好" in s for s in _texts(at, "success"))
    page = str([d.value for d in at.dataframe]) + str(_texts(at, "markdown"))
    assert "登录" in page and TEXT[:10] not in page and doc.id


def test_app_user_switch_opens_the_role_page(at):
    _as(at, "李主任")
    assert _texts(at, "title") == ["审核"]


def test_app_drafter_uploads_reads_suggestion_and_proposes(at, wf):
    at.file_uploader[0].set_value([("请示.txt", TEXT.encode(), "text/plain")])
    _ok(at.run())
    body = at.main.html[0].proto.body
    assert "<mark" in body and "拟提名张某某同志" in body
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["建议密级"] in {lv.label for lv in Level}
    assert "置信度" in metrics
    assert [b.label for b in at.main.button] == ["提交审核"]
    scope = [t for t in at.text_input if t.label == "知悉范围"][0]
    scope.input("部务会成员")
    _ok(at.button[0].click().run())
    assert any("已提交审核" in s for s in _texts(at, "success"))
    (summary,) = wf.store.summaries()
    assert summary.status == "proposed" and summary.drafter_name == "张承办"
    assert any(f"“{summary.mark or summary.level}”管理" in s for s in _texts(at, "success"))
    mine = [s for s in at.selectbox if s.label == "我的文件"][0]
    assert "待审核" in mine.options[0], mine.options  # the list shows the new status at once


def test_app_propose_without_scope_shows_the_error(at, wf):
    at.file_uploader[0].set_value([("请示.txt", TEXT.encode(), "text/plain")])
    _ok(at.run())
    level = [s for s in at.selectbox if s.label == "密级"][0]
    clause = [s for s in at.selectbox if s.label.startswith("定密依据")][0]
    level.select("机密")
    clause.select("4.3")
    _ok(at.button[0].click().run())
    assert "invalid_decision" in _codes(at) and any("知悉范围" in e for e in _texts(at, "error"))
    _plain_chinese(at)
    assert wf.store.summaries()[0].status == "uploaded"


def test_app_malicious_document_is_shown_as_inert_text(at, wf):
    at.file_uploader[0].set_value([(EVIL_NAME, EVIL.encode(), "text/plain")])
    _ok(at.run())
    (html_el,) = at.main.html
    body = html_el.proto.body
    for raw in ("<script", "<img", "<b>", "<a ", "onerror=\""):
        assert raw not in body
    assert "&lt;script&gt;window.__xss = 1&lt;/script&gt;" in body
    assert "[点我查看](http://evil.example/steal)" in body  # literal, not a link
    assert "**粗体**" in body
    # Markdown elements never carry the document's or the file name's markup unescaped.
    for kind in ("markdown", "caption", "success", "info", "warning", "error"):
        for text in _texts(at, kind):
            assert "](http" not in text and "<img" not in text and "<script" not in text
    assert EVIL_NAME in at.selectbox[-1].options[0] or any(
        EVIL_NAME in o for s in at.selectbox for o in s.options)
    assert wf.store.summaries()[0].filename == EVIL_NAME


def test_app_duplicate_upload_opens_the_existing_record(at, wf, suggester):
    doc = wf.upload(_user(wf, "张承办").id, TEXT.encode(), "原件.txt", suggester.suggest_upload)
    at.file_uploader[0].set_value([("副本.txt", TEXT.encode(), "text/plain")])
    _ok(at.run())
    assert any(f"记录 \\#{doc.document.id}" in i for i in _texts(at, "info"))
    assert len(wf.store.summaries()) == 1


def test_app_unreadable_upload_shows_its_code(at, wf):
    at.file_uploader[0].set_value([("坏.docx", b"PK\x03\x04 broken", "application/octet-stream")])
    _ok(at.run())
    assert "corrupt_file" in _codes(at)
    assert any("坏.docx" in e.replace("\\", "") and "请" in e for e in _texts(at, "error"))
    _plain_chinese(at)
    assert wf.store.summaries() == []


def test_app_director_sees_queue_flags_disagreement_and_confirms(at, wf, suggester):
    agree = _proposed(wf, suggester)
    odd = _proposed(wf, suggester, text=TEXT + "（另稿）", c=Classification(Level.GONGKAI))
    _as(at, "李主任")
    rows = at.dataframe[0].value
    assert list(rows["编号"]) == [agree.id, odd.id]  # oldest first
    assert rows.loc[rows["编号"] == odd.id, ""].item() == "⚠"
    assert [b.label for b in at.main.button] == ["制作标志件", "生成定密审批表", "确认拟定意见",
                                                 "变更", "报领导小组"]
    _ok(submit_confirmed(at, "确认拟定意见"))
    assert any("已确认" in s and "登记编号" in s for s in _texts(at, "success"))
    assert wf.store.document(agree.id).status == "confirmed"
    (dec,) = wf.store.decisions(agree.id)
    assert (dec.kind, dec.actor_id) == ("confirm", _user(wf, "李主任").id)


def test_app_override_without_reason_is_refused(at, wf, suggester):
    doc = _proposed(wf, suggester)
    _as(at, "李主任")
    _ok(submit_confirmed(at, "变更"))
    assert "empty_reason" in _codes(at)
    _plain_chinese(at)
    assert wf.store.document(doc.id).status == "proposed"
    [t for t in at.text_area if t.label.startswith("变更理由")][0].input("仅涉及一般干部")
    pick_reasons(at)
    [s for s in at.selectbox if s.label == "密级" and s.key.startswith("override")][0].select("秘密")
    _ok(submit_confirmed(at, "变更"))
    new = wf.store.document(doc.id)
    # a level other than the drafter's (and below clause 4.3's) is the leading group's
    assert (new.status, new.level) == ("escalated", "机密")
    assert any("已报领导小组" in s for s in _texts(at, "success"))
    assert wf.store.decisions(doc.id)[-1].level == "秘密"


def test_app_override_form_changes_the_scope(at, wf, suggester):
    """Issue 15: the override form has every field of a proposal; the director's 知悉范围
    is saved with the override (and a secret without one is refused in plain Chinese)."""
    doc = _proposed(wf, suggester)
    _as(at, "李主任")
    scope = at.text_input(key=f"override_{doc.id}_scope")
    assert scope.value == "部务会成员"  # the drafter's, to edit
    [t for t in at.text_area if t.label.startswith("变更理由")][0].input("知悉范围应包括分管领导")
    pick_reasons(at)
    scope.input(" ")
    _ok(submit_confirmed(at, "变更"))
    assert "invalid_decision" in _codes(at) and wf.store.document(doc.id).status == "proposed"
    _plain_chinese(at)
    at.text_input(key=f"override_{doc.id}_scope").input("部务会成员、分管副部长")
    _ok(submit_confirmed(at, "变更"))
    new = wf.store.document(doc.id)
    assert (new.status, new.level, new.scope) == ("overridden", "机密", "部务会成员、分管副部长")


def test_app_override_with_two_reasons_is_saved(at, wf, suggester):
    """Issue 14 §1: the override form's reason multiselect (Chinese labels, 请选择), two
    reasons saved on the decision and in its audit event."""
    doc = _proposed(wf, suggester)
    _as(at, "李主任")
    box = at.multiselect(key=f"override_{doc.id}_codes")
    assert box.label == "理由类别" and box.proto.placeholder == "请选择"
    assert "内容已公开" in box.options and "应定更高密级" in box.options
    [t for t in at.text_area if t.label.startswith("变更理由")][0].input("期限应为十年")
    box.select("wrong_period").select("other")
    _ok(submit_confirmed(at, "变更"))
    new = wf.store.document(doc.id)
    assert new.status == "overridden", _texts(at, "error")
    d = wf.store.decisions(doc.id)[-1]
    assert d.reason_codes == ["wrong_period", "other"] and d.reason_code == "wrong_period"
    assert wf.store.events(doc.id)[-1].detail["reason_codes"] == ["wrong_period", "other"]


def test_app_proposal_departing_from_the_suggestion_needs_a_reason(at, wf):
    at.file_uploader[0].set_value([("请示.txt", TEXT.encode(), "text/plain")])
    _ok(at.run())
    suggested = {m.label: m.value for m in at.metric}["建议密级"]
    other = "公开" if suggested != "公开" else "内部"
    [s for s in at.selectbox if s.label == "密级"][0].select(other)
    [s for s in at.selectbox if s.label.startswith("定密依据")][0].set_value("")
    _ok(at.button[0].click().run())
    assert "reason_required" in _codes(at) and wf.store.summaries()[0].status == "uploaded"
    _plain_chinese(at)
    doc_id = wf.store.summaries()[0].id
    box = at.multiselect(key=f"propose_{doc_id}_codes")
    assert box.proto.placeholder == "请选择"
    box.select("already_public")
    _ok(at.button[0].click().run())
    assert wf.store.summaries()[0].status == "proposed"
    assert wf.store.proposals(doc_id)[-1].reason_codes == ["already_public"]


def test_app_escalate_then_leading_group_decides(at, wf, suggester):
    doc = _proposed(wf, suggester)
    _as(at, "李主任")
    [t for t in at.text_area if t.label.startswith("提请领导小组")][0].input("是否应定为绝密？")
    _ok([b for b in at.button if b.label == "报领导小组"][0].click().run())
    assert wf.store.document(doc.id).status == "escalated"
    _as(at, "王组长")
    _ok(at.switch_page("app_pages/leading_group.py").run())
    assert "是否应定为绝密？" in " ".join(h.proto.body for h in at.html)
    [t for t in at.text_area if t.label.startswith("决定理由")][0].input("涉及班子主要负责人")
    pick_reasons(at)
    _ok(submit_confirmed(at, "作出决定"))
    new = wf.store.document(doc.id)
    assert (new.status, new.level, new.mark) == ("decided", "机密", "机密★任免正式公布后")
    # The leading group's page offers the passage picker too: the suggested evidence, ticked,
    # is stored with the decision (issue 9 §8) and lies inside the text.
    last = wf.store.decisions(doc.id)[-1]
    assert last.kind == "decide" and last.passages
    assert all(0 <= p["start"] < p["end"] <= len(new.text) for p in last.passages)


def test_app_review_actions_hidden_from_drafter_and_from_own_proposal(at, wf, suggester):
    _proposed(wf, suggester, by="李主任")
    _as(at, "张承办")
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("app_pages/review.py")  # a drafter has no review page at all
    _as(at, "李主任")
    _ok(at.switch_page("app_pages/review.py").run())
    assert any("本人拟定" in i for i in _texts(at, "info"))
    assert not [b for b in at.button if b.label == "确认拟定意见"]


def test_app_two_directors_at_once_the_second_is_told(app_env, wf, suggester):
    doc = _proposed(wf, suggester)
    a, b = _as(_ok(_app().run()), "李主任"), _as(_ok(_app().run()), "赵副主任")
    _ok(submit_confirmed(a, "确认拟定意见"))
    [t for t in b.text_area if t.label.startswith("变更理由")][0].input("应为秘密")
    pick_reasons(b)
    _ok(submit_confirmed(b, "变更"))
    assert any("已由他人处理" in w for w in _texts(b, "warning"))
    assert wf.store.document(doc.id).status == "confirmed"
    assert [d.kind for d in wf.store.decisions(doc.id)] == ["confirm"]


def test_app_records_filters_searches_and_exports(at, wf, suggester):
    a = _proposed(wf, suggester)
    wf.confirm(_user(wf, "李主任").id, a.id)
    _proposed(wf, suggester, text=TEXT + "（另稿）")
    _as(at, "陈机要")
    rows = at.dataframe[0].value
    assert len(rows) == 2 and set(rows["状态"]) == {"已确认", "待审核"}
    confirmed = rows[rows["状态"] == "已确认"].iloc[0]
    assert (confirmed["审定人"], confirmed["审定方式"]) == ("李主任", "确认")
    at.multiselect(key="rec_status").select("confirmed")
    _ok(at.run())
    assert list(at.dataframe[0].value["编号"]) == [a.id]
    at.multiselect(key="rec_status").unselect("confirmed")
    at.text_input(key="rec_search").input("另稿")
    _ok(at.run())
    assert len(at.dataframe[0].value) == 1
    assert [d.label for d in at.download_button] == ["导出 CSV", "导出 Excel",
                                                     "导出年度审核清单（Excel）"]
    assert not any(d.proto.disabled for d in at.download_button)


@pytest.mark.parametrize("clause, level, status", [
    ("4.12", Level.JIMI, "escalated"),    # 其它保密事项: the leading group decides
    ("4.3", Level.JUEMI, "referred"),     # above 机密, the office's authority: 报请上级定密
])
def test_app_director_cannot_confirm_alone(at, wf, suggester, clause, level, status):
    doc = _proposed(wf, suggester, c=Classification(level, clause, level.max_period_years))
    _as(at, "李主任")
    _ok(submit_confirmed(at, "确认拟定意见"))
    assert wf.store.document(doc.id).status == status
    assert [d.kind for d in wf.store.decisions(doc.id)] == [
        {"escalated": "escalate", "referred": "refer"}[status]]
    assert any(("已报领导小组" if status == "escalated" else "报请上级定密") in s
               for s in _texts(at, "success"))


def test_app_records_marked_copy_and_approval_form(at, catalogue, suggester, tmp_path):
    from docx import Document

    kept = Workflow(Store.from_url(os.environ["DINGMI_DATABASE_URL"], store_originals=True),
                    catalogue)
    try:
        body = Document()
        body.add_paragraph("关于拟任干部人选的请示")
        body.add_paragraph(TEXT)
        buf = io.BytesIO()
        body.save(buf)
        u = _user(kept, "张承办")
        doc = kept.upload(u.id, buf.getvalue(), "请示.docx", suggester.suggest_upload).document
        kept.propose(u.id, doc.id, Classification(Level.JIMI, "4.3", 20), scope="部务会成员")
        kept.confirm(_user(kept, "李主任").id, doc.id)
        _as(at, "陈机要")
        _ok(at.switch_page("app_pages/records.py").run())
        _ok([b for b in at.button if b.label == "制作标志件"][0].click().run())
        _ok([b for b in at.button if b.label == "生成定密审批表"][0].click().run())
        labels = [d.label for d in at.download_button]
        assert "下载标志件" in labels and "下载定密审批表" in labels
        events = [e.action for e in kept.store.events(doc.id)]
        assert events.count("mark_copy") == 1 and events.count("approval_form") == 1
    finally:
        kept.store.close()


# --- issue 15: batches, the page beside the text, plain Chinese ---------------------------

BATCH = [f"关于拟任干部人选的请示（第{i}稿）\n经部务会研究，拟提名张某{i}同志为市财政局局长人选。"
         "以上人选尚未公布，请严格控制知悉范围。" for i in range(1, 5)]


def test_app_batch_upload_summary_table_proposes_the_ticked_rows(at, wf):
    """Several files at once: progress, then one table of suggestions; the ticked rows are
    proposed as suggested through the same validation as one by one (知悉范围 for a secret)."""
    files = [(f"批量{i}.txt", t.encode(), "text/plain") for i, t in enumerate(BATCH, 1)]
    files.append(("公开通知.txt", "关于开展全市植树活动的通知\n请各单位于三月组织职工参加义务植树。".encode(),
                  "text/plain"))
    at.file_uploader[0].set_value(files)
    _ok(at.run())
    assert any("已读取 5 份文稿" in p.proto.text for p in at.get("progress"))
    (table,) = at.data_editor
    rows = table.value
    assert list(rows["文件"]) == [f[0] for f in files]
    assert {"建议密级", "建议依据", "置信度", "需重点审核", "拟定密级", "定密依据", "知悉范围"} <= set(rows)
    assert set(rows["拟定密级"]) <= {lv.label for lv in Level}
    assert list(rows["建议密级"]) == list(rows["拟定密级"])  # the suggestion is the default
    # no scope: the secrets are refused row by row with the reason, the others go through
    _ok(at.button(key="draft_batch_submit").click().run())
    secret = [r for _, r in rows.iterrows() if Level.from_label(r["拟定密级"]).is_secret]
    assert secret, "the drafts of a cadre appointment are suggested secret"
    errors = _texts(at, "error")
    assert len(errors) == len(secret) and all("知悉范围" in e for e in errors), errors
    assert _codes(at).count("invalid_decision") == len(secret)
    _plain_chinese(at)
    at.text_input(key="draft_batch_scope").input("部务会成员")
    _ok(at.button(key="draft_batch_submit").click().run())
    summaries = {s.filename: s for s in wf.store.summaries()}
    assert {s.status for s in summaries.values()} == {"proposed"}
    for _, r in rows.iterrows():
        doc = wf.store.document(int(r["编号"]))
        assert doc.level == r["拟定密级"]
        assert doc.scope == "部务会成员" or not Level.from_label(doc.level).is_secret
    assert any("已提交" in s for s in _texts(at, "success"))
    assert not at.data_editor  # nothing left to propose in this batch
    mine = [s for s in at.selectbox if s.label == "我的文件"][0]
    assert all("待审核" in o for o in mine.options), mine.options  # labels follow the state


def test_app_review_page_shows_the_pdf_pages_beside_the_text(app_env, monkeypatch, catalogue,
                                                             suggester):
    """The director (and any reviewer) sees the original's pages, rendered from the kept
    original through the workflow's need-to-know check, beside the extracted text."""
    monkeypatch.setenv("DINGMI_STORE_ORIGINALS", "1")
    at = _ok(_app().run())
    ready_demo_users()
    kept = Workflow(Store.from_url(os.environ["DINGMI_DATABASE_URL"], store_originals=True),
                    catalogue)
    try:
        u = _user(kept, "张承办")
        doc = kept.upload(u.id, b.draft_pdf(), "请示.pdf", suggester.suggest_upload).document
        kept.propose(u.id, doc.id, Classification(Level.JIMI, "4.3", 20), scope="部务会成员")
        at = _as(at, "李主任")
        assert _texts(at, "title") == ["审核"]
        images = [e for e in at.main if type(e).__name__ == "Image"]
        assert len(images) == 1
        assert "dm-doc" in " ".join(h.proto.body for h in at.html)  # the text beside it
        readers = {kept.store.account_by_id(e.actor_id).name for e in kept.store.events(doc.id)
                   if e.action == "read_secret"}
        assert "李主任" in readers  # the read of the secret original is recorded
    finally:
        kept.store.close()


@pytest.mark.skipif(not ocr.available(), reason="OCR engine not installed")
def test_app_scanned_upload_shows_ocr_note_and_page_image(at, wf):
    """Issue 5: text read by OCR says 请核对识别文字 and the page image is shown beside it."""
    scan = b.scan_image(b.draft_pdf(), dpi=200, noise=True).crop((0, 120, 1654, 420))
    at.file_uploader[0].set_value([("扫描件.png", b.image_bytes(scan, "PNG"), "image/png")])
    _ok(at.run(timeout=60))
    assert any("请核对识别文字" in w for w in _texts(at, "warning"))
    assert [type(e).__name__ for e in at.main].count("Image") == 1
    assert wf.store.summaries()[0].filename == "扫描件.png"


# --- the model page (issue 4) ----------------------------------------------------------


@pytest.fixture()
def model_home(tmp_path, monkeypatch, make_version):
    """A data home with a real registry: one trained, scored, active version and a refused
    candidate; a fresh database."""
    from classifier.config import Settings
    from classifier.training.registry import Registry
    from classifier.training.retrain import retrain

    home = tmp_path / "home"
    res = retrain(Settings(home=home), cv_folds=0, with_decisions=False)
    assert res.promoted
    Registry(home / "models").register(make_version(
        home / "models", "candidate-1", under=0.5, created_at="2099-01-01T00:00:00+00:00",
        golden_sha256=res.report.golden["golden_sha256"]))
    monkeypatch.setenv("DINGMI_HOME", str(home))
    monkeypatch.setenv("DINGMI_DATABASE_URL", f"sqlite:///{tmp_path / 'app.sqlite3'}")
    monkeypatch.setenv("DINGMI_RETRAIN_CV_FOLDS", "0")  # the page's retrain without its CV
    return home


def _model_page(user: str) -> AppTest:
    at = _ok(_app().run())
    ready_demo_users()
    _as(at, user)
    return _ok(at.switch_page("app_pages/model.py").run())


def test_app_model_page_shows_registry_charts(model_home):
    at = _model_page("李主任")
    assert _texts(at, "title") == ["模型"]
    charts = at.get("vega_lite_chart")
    assert len(charts) >= 4  # versions, learning curve, confusion matrix, precision/recall
    table = at.dataframe[0].value
    assert len(table) == 2 and set(table["状态"]) == {"启用中", "候选"}
    assert any("漏定率" in r for r in table["未启用原因"])
    assert not at.button(key="model_retrain").disabled


def test_app_model_page_retrain_runs_in_background(model_home):
    from classifier.training.registry import Registry

    at = _model_page("李主任")
    _ok(at.button(key="model_retrain").click().run())
    import time

    reg = Registry(model_home / "models")
    deadline = time.monotonic() + 120
    while len(reg.versions()) < 3 and time.monotonic() < deadline:
        time.sleep(0.5)
    time.sleep(0.5)  # registered; let the thread record its result
    at = _ok(at.run())
    done = _texts(at, "success") + _texts(at, "warning")
    assert any("训练完成" in t for t in done), (done, _texts(at, "error"))
    assert len(Registry(model_home / "models").versions()) == 3
    # issue 15: after the retrain the page's labels follow the active version (the new one
    # when it was promoted, else the one before); nothing still says the old one is in use
    active = reg.active_name()
    assert at.selectbox(key=f"model_version_{active}").value == active
    table = at.dataframe[0].value
    status = dict(zip(table["版本"], table["状态"], strict=True))
    assert [v for v, s in status.items() if s == "启用中"] == [active]
    # the same audit event as dingmi train: who, the version, each file's signed sha256
    store = Store.from_url(os.environ["DINGMI_DATABASE_URL"])
    try:
        (event,) = [e for e in store.chain() if e.action == "model_train"]
    finally:
        store.close()
    new = [v for v in reg.versions() if v.version == event.detail["version"]]
    assert new and event.actor_role == "director"
    assert event.detail["sha256"] == reg.check(event.detail["version"])


def test_app_model_page_labels_follow_the_active_version(model_home):
    """Issue 15: after a retrain or a promotion elsewhere, the version selector and the
    status column follow the active version; metrics carry Chinese names and explanations."""
    from classifier.training.registry import Registry

    reg = Registry(model_home / "models")
    first = reg.active_name()
    at = _model_page("李主任")
    assert at.selectbox(key=f"model_version_{first}").value == first
    at.selectbox(key=f"model_version_{first}").set_value("candidate-1")
    at = _ok(at.run())
    reg.promote("candidate-1")  # what a retrain that promotes does to CURRENT
    at = _ok(at.run())
    assert at.selectbox(key="model_version_candidate-1").value == "candidate-1"
    table = at.dataframe[0].value
    status = dict(zip(table["版本"], table["状态"], strict=True))
    assert status == {first: "已停用", "candidate-1": "启用中"}
    assert {"漏定率", "过度定密率", "密级宏平均F1值", "条款首选准确率"} <= set(table.columns)
    shown = " ".join(_texts(at, "markdown"))
    assert "漏定率**：应定为国家秘密" in shown
    assert not re.search(r"macro|top-1|under|over\b|active|retired", shown + str(list(table.columns)))


def test_app_model_page_leading_group_cannot_retrain(model_home):
    at = _model_page("王组长")
    assert at.button(key="model_retrain").disabled


def test_app_follows_the_active_model_without_a_restart(tmp_path, monkeypatch, trained_model,
                                                        catalogue, tokenizer, repo_dir):
    """A promotion or a rollback (CURRENT) takes effect at the next upload."""
    from classifier.train import train

    home = tmp_path / "home"
    install_model(trained_model, home)  # signed with this home's key
    second = train(catalogue, tokenizer, repo_dir / "corpus" / "train", home / "models",
                   cv_folds=0, C=5.0, make_current=False).model_dir
    (home / "models" / "CURRENT").write_text(trained_model.name, encoding="utf-8")
    monkeypatch.setenv("DINGMI_HOME", str(home))
    monkeypatch.setenv("DINGMI_DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite3'}")
    at = _ok(_app().run())
    ready_demo_users()
    at = _as(at, "张承办")
    wf = _db_workflow(catalogue)

    def upload(name: str, text: str) -> str:
        at.file_uploader[0].set_value([(name, text.encode(), "text/plain")])
        _ok(at.run())
        (doc,) = [s for s in wf.store.summaries() if s.filename == name]
        return wf.store.latest_suggestion(doc.id).model_version

    assert upload("a.txt", TEXT) == trained_model.name
    (home / "models" / "CURRENT").write_text(second.name, encoding="utf-8")
    assert upload("b.txt", TEXT + "另附说明一份。") == second.name


def test_app_refuses_a_model_with_a_recomputed_manifest(tmp_path, monkeypatch, trained_model):
    """Issue 11 §7: changed weights and a recomputed sha256 manifest: an upload is answered
    with the refusal in Chinese and its code, never a suggestion and never a traceback."""
    import json

    import numpy as np

    from classifier.engine.model import MANIFEST, file_sha256

    home = tmp_path / "home"
    d = install_model(trained_model, home)
    (home / "models" / "CURRENT").write_text(d.name, encoding="utf-8")
    with np.load(d / "model.npz") as z:
        np.savez(d / "model.npz", idf=z["idf"], coef=-z["coef"], intercept=z["intercept"])
    doc = json.loads((d / MANIFEST).read_text(encoding="utf-8"))
    doc["sha256"]["model.npz"] = file_sha256(d / "model.npz")
    (d / MANIFEST).write_text(json.dumps(doc), encoding="utf-8")
    monkeypatch.setenv("DINGMI_HOME", str(home))
    monkeypatch.setenv("DINGMI_DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite3'}")
    at = _ok(_app().run())
    ready_demo_users()
    at = _as(at, "张承办")
    at.file_uploader[0].set_value([("a.txt", TEXT.encode(), "text/plain")])
    at = _ok(at.run())
    errors = [e.value.replace("\\", "") for e in at.error]  # markdown escapes removed
    assert "model_tampered" in _codes(at) and any("已拒绝载入" in e for e in errors), errors
    _plain_chinese(at)
    assert not any("Traceback" in e for e in errors)


# --- issue 15 §4–5: dates in Chinese, the second step, keyboard, placeholders, pinned -------

CHINESE_TIME = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}")
CHINESE_DATE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日")


def _pinned(frame) -> set[str]:
    """The columns a table keeps in view while it scrolls sideways."""
    import json

    return {name for name, c in json.loads(frame.proto.columns or "{}").items()
            if c.get("pinned")}


def _choice_placeholders(at: AppTest) -> dict[str, str]:
    return {w.key or w.label: w.proto.placeholder for w in [*at.selectbox, *at.multiselect]}


def test_app_a_decision_takes_a_second_explicit_step(at, wf, suggester):
    """Confirm without ticking 我已核对以上内容 changes nothing and says what to do; ticked,
    the same click confirms."""
    from app_pages.common import CONFIRM_LABEL

    doc = _proposed(wf, suggester)
    _as(at, "李主任")
    assert at.checkbox(key=f"confirm_{doc.id}_sure").label == CONFIRM_LABEL
    assert at.checkbox(key=f"override_{doc.id}_sure").label == CONFIRM_LABEL
    _ok([b for b in at.button if b.label == "确认拟定意见"][0].click().run())
    assert wf.store.document(doc.id).status == "proposed" and not wf.store.decisions(doc.id)
    assert any("尚未提交" in w and CONFIRM_LABEL in w for w in _texts(at, "warning"))
    [t for t in at.text_area if t.label.startswith("变更理由")][0].input("应为秘密")
    pick_reasons(at)
    _ok([b for b in at.button if b.label == "变更"][0].click().run())
    assert wf.store.document(doc.id).status == "proposed" and not wf.store.decisions(doc.id)
    _ok(submit_confirmed(at, "确认拟定意见"))
    assert wf.store.document(doc.id).status == "confirmed"
    assert [d.kind for d in wf.store.decisions(doc.id)] == ["confirm"]


def test_app_leading_group_decides_only_after_the_second_step(at, wf, suggester):
    doc = _proposed(wf, suggester)
    wf.escalate(_user(wf, "李主任").id, doc.id, question="是否应定为绝密？")
    _as(at, "王组长")
    _ok(at.switch_page("app_pages/leading_group.py").run())
    [t for t in at.text_area if t.label.startswith("决定理由")][0].input("涉及班子主要负责人")
    pick_reasons(at)
    _ok([b for b in at.button if b.label == "作出决定"][0].click().run())
    assert wf.store.document(doc.id).status == "escalated"
    assert any("尚未提交" in w for w in _texts(at, "warning"))
    _ok(submit_confirmed(at, "作出决定"))
    assert wf.store.document(doc.id).status == "decided"


def test_app_review_actions_have_keyboard_shortcuts_told_in_chinese(at, wf, suggester):
    _proposed(wf, suggester)
    _as(at, "李主任")
    keys = {b.label: b.proto.shortcut for b in at.button if b.proto.shortcut}
    assert keys == {"确认拟定意见": "alt+q", "变更": "alt+b", "报领导小组": "alt+l"}
    told = " ".join(_texts(at, "caption"))
    assert "快捷键：确认 Alt+Q，变更 Alt+B，报领导小组 Alt+L" in told


def test_app_dates_read_in_chinese_on_the_pages_and_iso_in_exports(at, wf, suggester):
    from classifier.workflow.register import to_csv

    doc = _proposed(wf, suggester, c=Classification(Level.JIMI, "4.3", 10, None))
    _as(at, "李主任")
    queue = at.dataframe[0]
    assert all(CHINESE_TIME.fullmatch(t) for t in queue.value["拟定时间"]), queue.value
    assert {"编号", "文件名"} <= _pinned(queue)
    _ok(submit_confirmed(at, "确认拟定意见"))
    _as(at, "陈机要")  # the register
    rows = at.dataframe[0].value
    (row,) = rows.to_dict("records")
    for column in ("拟定时间", "审定时间", "上传时间"):
        assert CHINESE_TIME.fullmatch(row[column]), (column, row[column])
    for column in ("制发日期", "保密期限届满"):
        assert CHINESE_DATE.fullmatch(row[column]), (column, row[column])
    assert _pinned(at.dataframe[0]) == {"编号", "文件名"}
    # the export of the same rows keeps ISO dates (a spreadsheet sorts them)
    clerk = _user(wf, "陈机要")
    exported = to_csv(wf.records(clerk.id)).decode("utf-8-sig")
    assert re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", exported)
    assert not CHINESE_DATE.search(exported) and wf.store.document(doc.id).status == "confirmed"


def test_app_choice_fields_have_chinese_placeholders(at, wf, suggester):
    doc = _proposed(wf, suggester)
    _as(at, "李主任")
    seen = _choice_placeholders(at)
    assert seen[f"override_{doc.id}_level"] == "请选择" and seen["review_doc"] == "请选择"
    assert all(p and not re.search(r"[A-Za-z]", p) for p in seen.values()), seen
    _ok(at.switch_page("app_pages/records.py").run())
    seen = _choice_placeholders(at)
    assert seen["rec_status"] == "全部" and seen["rec_pick"] == "请选择"
    assert all(p and not re.search(r"[A-Za-z]", p) for p in seen.values()), seen
