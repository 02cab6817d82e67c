"""The 登记簿 page (app_pages/handling.py, issue 13) with Streamlit AppTest: the clerk registers a
received document, circulates a copy and sees it on the overdue list when looking ahead; the
director approves a loan there; other roles never see the page."""

from __future__ import annotations

import hashlib
import os
from datetime import date, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from classifier.store import Store
from classifier.workflow import Workflow
from classifier.workflow.handling import Handling
from tests.conftest import app_login, ready_demo_users

REPO = Path(__file__).resolve().parent.parent
PAGE = "app_pages/handling.py"


def _ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture()
def at(register_app_env) -> AppTest:
    at = _ok(AppTest.from_file(str(REPO / "app.py"), default_timeout=60).run())
    ready_demo_users()
    return at


@pytest.fixture()
def h(at):
    store = Store.from_url(os.environ["DINGMI_DATABASE_URL"])
    yield Handling(Workflow(store))
    store.close()


def _button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def test_clerk_registers_circulates_and_sees_the_overdue_list(at, h):
    at = _ok(app_login(at, "陈机要"))
    at = _ok(at.switch_page(PAGE).run())
    assert [t.value for t in at.title] == ["涉密文件登记簿"] and at.caption
    at.text_input(key="hd_rg_title").input("关于换届考察工作的通知")
    at.text_input(key="hd_rg_issuer").input("省委组织部")
    at.number_input(key="hd_rg_copies").set_value(2)
    at = _ok(_button(at, "登记").click().run())
    clerk = h.wf.store.user_by_name("陈机要")
    (line,) = h.lines(clerk.id)
    assert (line.title, line.issuer, line.copies, line.level) == (
        "关于换届考察工作的通知", "省委组织部", 2, "机密")
    c1 = h.copies(clerk.id, line.id)[0]
    at.selectbox(key="hd_ci_copy").set_value(c1.id)
    at.text_input(key="hd_ci_readers").input("刘科长、周干事")
    at = _ok(_button(at, "发起传阅").click().run())
    assert h.copies(clerk.id, line.id)[0].holder == "刘科长"
    assert len(at.dataframe[1].value) == 0                 # nothing overdue today
    at.date_input(key="hd_asof").set_value(date.today() + timedelta(days=40))
    at = _ok(at.run())
    rows = at.dataframe[1].value
    assert list(rows["登记编号"]) == [line.number] and list(rows["现在何处"]) == ["刘科长"]
    # a hand-over from someone who does not hold the copy is refused with its code
    at.selectbox(key="hd_ho_copy").set_value(c1.id)
    at.text_input(key="hd_ho_from").input("办公室")
    at.text_input(key="hd_ho_to").input("吴部长")
    at = _ok(_button(at, "登记交接").click().run())
    assert at.error and "<code>not_holder</code>" in " ".join(x.proto.body for x in at.html)


def test_director_approves_a_loan_on_the_page(at, h):
    clerk = h.wf.store.user_by_name("陈机要")
    line = h.register(clerk.id, direction="in", title="关于干部考察的通知", level="秘密", copies=1)
    c = h.copies(clerk.id, line.id)[0]
    loan = h.request_loan(clerk.id, c.id, borrower="周干事", purpose="起草参考",
                          due_on=date.today() + timedelta(days=3))
    at = _ok(app_login(at, "李主任"))
    at = _ok(at.switch_page(PAGE).run())
    at = _ok(_button(at, "批准").click().run())
    assert h.reads.loan(loan.id).status == "approved"
    assert not [b for b in at.button if b.label == "登记交接"]   # only the clerk records


@pytest.mark.parametrize("name", ["张承办", "系统管理员", "安全审计员"])
def test_other_roles_never_see_the_page(at, name):
    at = _ok(app_login(at, name))
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(PAGE)


LETTER = ("关于请赵某某同志说明有关问题的函\n"
          "近期，我部收到反映你在担任苍岭县交通运输局局长期间，违规干预工程招投标、为亲属承揽项目提供便利的信访举报材料。\n"
          "经初步核查，举报所涉白石镇道路硬化工程的中标单位法定代表人系你的妻弟钱某某，相关情况尚待进一步核实。")
DRAFT = ("关于赵某某同志有关问题核查情况的报告\n"
         "近期，我部收到反映你在担任苍岭县交通运输局局长期间，违规干预工程招投标、为亲属承揽项目提供便利的信访举报材料。\n"
         "核查组调阅了县交通运输局2024年以来的项目档案，并与十二名干部职工进行了谈话。")


def test_review_page_shows_the_derived_source_and_records_it(app_env, suggester, catalogue):
    from classifier.catalogue import Level
    from classifier.workflow import Classification

    at = _ok(AppTest.from_file(str(REPO / "app.py"), default_timeout=60).run())
    ready_demo_users()
    store = Store.from_url(os.environ["DINGMI_DATABASE_URL"])
    try:
        wf = Workflow(store, catalogue)
        drafter, director = (store.user_by_name(n) for n in ("张承办", "李主任"))
        src = wf.upload(drafter.id, LETTER.encode(), "函询函.txt", suggester.suggest_upload).document
        wf.propose(drafter.id, src.id, Classification(Level.JIMI, "4.10", 20), scope="李主任")
        wf.confirm(director.id, src.id)
        draft = wf.upload(drafter.id, DRAFT.encode(), "核查报告.txt",
                          suggester.suggest_upload).document
        wf.propose(drafter.id, draft.id, Classification(Level.JIMI, "4.10", 20), scope="李主任")
        at = _ok(app_login(at, "李主任"))
        assert [t.value for t in at.title] == ["审核"]
        warn = " ".join(w.value for w in at.warning)
        assert "派生定密" in warn and "函询函" in warn and "机密★20年" in warn
        at = _ok(_button(at, "记录派生来源").click().run())
        assert [s.source_document_id for s in Handling(wf).reads.derived_sources(draft.id)] == [
            src.id]
    finally:
        store.close()


PLAN = ("关于苍岭县部分领导干部调整的方案\n经部务会研究，提出以下调整意见：\n"
        "一、拟任赵明华同志为苍岭县财政局局长（正科级）。\n二、钱晓峰同志拟任苍岭县教育局局长。\n"
        "以上人选须经市委常委会审议，审批前严格控制知悉范围。")
GONGSHI = ("干部任前公示\n根据《党政领导干部选拔任用工作条例》有关规定，现将拟任职干部情况予以公示：\n"
           "赵明华，男，汉族，1979年4月生，大学学历，中共党员，现任苍岭县财政局副局长，拟任苍岭县财政局局长。\n"
           "公示期为2026年3月2日至3月8日（5个工作日）。监督电话：12380。")


def test_uploading_a_published_gongshi_is_kept_as_release_evidence(app_env, suggester,
                                                                   catalogue):
    from classifier.catalogue import Level
    from classifier.workflow import Classification

    at = _ok(AppTest.from_file(str(REPO / "app.py"), default_timeout=60).run())
    ready_demo_users()
    store = Store.from_url(os.environ["DINGMI_DATABASE_URL"])
    try:
        wf = Workflow(store, catalogue)
        drafter, director = (store.user_by_name(n) for n in ("张承办", "李主任"))
        plan = wf.upload(drafter.id, PLAN.encode(), "方案.txt", suggester.suggest_upload).document
        wf.propose(drafter.id, plan.id, Classification(Level.JIMI, "4.3", None, "任免正式公布后"),
                   scope="部务会成员")
        wf.confirm(director.id, plan.id)
        at = _ok(app_login(at, "张承办"))
        at.file_uploader[0].set_value([("任前公示.txt", GONGSHI.encode(), "text/plain")])
        at = _ok(at.run())
        gongshi = store.document_by_sha256(hashlib.sha256(GONGSHI.encode()).hexdigest())
        assert gongshi is not None and store.latest_suggestion(gongshi.id).level == "公开"
        assert any("解密依据" in i.value for i in at.info)
        assert "方案" not in " ".join(i.value for i in at.info)   # the uploader is not told which
        view = Handling(wf).release_state(director.id, plan.id)
        assert (view.state.k, view.state.n, view.state.proposed) == (1, 2, False)
        assert [e.public_document_id for e in Handling(wf).reads.release_evidence(plan.id)] == [
            gongshi.id]
    finally:
        store.close()


def test_register_pins_its_key_columns_dates_in_chinese_and_placeholders(at, h):
    """Issue 15: the 登记簿's tables keep 登记编号/标题/份号 in view while they scroll, show
    times as 2026年12月7日 14:05, and a choice with nothing to choose says so in Chinese."""
    import json
    import re

    clerk = h.wf.store.user_by_name("陈机要")
    line = h.register(clerk.id, direction="in", title="关于干部考察的通知", level="秘密", copies=1)
    (copy,) = h.copies(clerk.id, line.id)
    h.circulate(clerk.id, copy.id, ["刘科长"])  # the only copy leaves the office
    at = _ok(app_login(at, "陈机要"))
    at = _ok(at.switch_page(PAGE).run())
    where = at.dataframe[0]
    pinned = {k for k, c in json.loads(where.proto.columns).items() if c.get("pinned")}
    assert pinned == {"登记编号", "标题", "份号"}
    assert re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}", where.value["自"].iloc[0])
    assert at.selectbox(key="hd_ci_copy").proto.placeholder == "暂无可选项"  # none in the office
    assert at.selectbox(key="hd_ho_copy").proto.placeholder == "请选择"
    for box in [*at.selectbox, *at.multiselect]:
        assert box.proto.placeholder and not re.search(r"[A-Za-z]", box.proto.placeholder)
