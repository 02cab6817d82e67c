"""The clerk's register (issue 13, regulation 八) on a real SQLite file: registration, copies and
hand-overs, stand-ins, circulation and the overdue list, loans and their approvers, the
half-year clean-up, destruction, and the import of a paper register from XLSX."""

from __future__ import annotations

import io
import sqlite3
from datetime import date, timedelta

import pytest

from classifier.errors import (
    CopyUnavailableError,
    EmptyReasonError,
    InvalidDecisionError,
    LoanApprovalError,
    NotHolderError,
    OriginalNotLentError,
    PermissionDeniedError,
    RegisterImportError,
    WitnessesRequiredError,
)
from classifier.handling.policy import HandlingPolicy, add_months


def _incoming(handling, people, **kw):
    args = dict(direction="in", title="关于做好换届考察工作的通知", level="机密", copies=3,
                issuer="市委组织部", issuer_number="市组通〔2026〕5号", kind="文件")
    args.update(kw)
    return handling.register(people.clerk.id, **args)


def test_register_numbers_copies_and_refuses_non_clerks(handling, people):
    line = _incoming(handling, people)
    assert line.number == "收2026-0001" and line.status == "open"
    assert (line.level, line.period_years, line.condition) == ("机密", 20, None)  # longest by law
    copies = handling.copies(people.clerk.id, line.id)
    assert [(c.copy_no, c.holder, c.state) for c in copies] == [
        (1, "办公室", "office"), (2, "办公室", "office"), (3, "办公室", "office")]
    out = handling.register(people.clerk.id, direction="out", title="关于报送后备干部名单的报告",
                            level="秘密", period_years=10, copies=1, recipient="省委组织部")
    assert out.number == "发2026-0001"
    assert _incoming(handling, people).number == "收2026-0002"
    with pytest.raises(PermissionDeniedError, match=r"\[permission_denied\]"):
        handling.register(people.drafter.id, direction="in", title="x", level="机密", copies=1)
    with pytest.raises(InvalidDecisionError, match="登记簿只登记"):
        _incoming(handling, people, level="内部")
    with pytest.raises(InvalidDecisionError, match=r"\[period_too_long\]"):
        _incoming(handling, people, level="秘密", period_years=15)
    # every registration is in the audit chain
    actions = [e.action for e in handling.wf.store.chain()]
    assert actions.count("register_in") == 2 and actions.count("register_out") == 1


def test_hand_over_only_between_the_holder_and_a_named_receiver(handling, people, clock):
    line = _incoming(handling, people, copies=1)
    copy = handling.copies(people.clerk.id, line.id)[0]
    c = handling.hand_over(people.clerk.id, copy.id, from_holder="办公室", to_holder="刘科长")
    assert (c.holder, c.state) == ("刘科长", "reader")
    # not the holder: no indirect passing (八(二))
    with pytest.raises(NotHolderError, match=r"\[not_holder\].*不得间接转递"):
        handling.hand_over(people.clerk.id, copy.id, from_holder="办公室", to_holder="周干事")
    c = handling.hand_over(people.clerk.id, copy.id, from_holder="刘科长", to_holder="周干事")
    assert c.holder == "周干事"
    clock.advance(hours=2)
    c = handling.hand_over(people.clerk.id, copy.id, from_holder="周干事", to_holder="办公室")
    assert c.state == "office"
    hist = handling.transfers(people.clerk.id, copy.id)
    assert [(t.from_holder, t.to_holder, t.kind) for t in hist] == [
        ("办公室", "刘科长", "handover"), ("刘科长", "周干事", "handover"),
        ("周干事", "办公室", "return")]
    line = handling.line(people.clerk.id, line.id)
    assert line.status == "closed" and line.closed_at == clock.now   # 销号 when all are back


def test_stand_in_takes_every_copy_and_gives_them_back(handling, people):
    a = _incoming(handling, people, copies=2)
    copies = handling.copies(people.clerk.id, a.id)
    for c in copies:
        handling.hand_over(people.clerk.id, c.id, from_holder="办公室", to_holder="刘科长")
    moved = handling.stand_in(people.clerk.id, holder="刘科长", stand_in="孙干事", note="出差一周")
    assert [(c.holder, c.holding_for) for c in moved] == [("孙干事", "刘科长")] * 2
    back = handling.stand_in(people.clerk.id, holder="刘科长", stand_in="孙干事", back=True)
    assert [(c.holder, c.holding_for) for c in back] == [("刘科长", None)] * 2


def test_circulation_is_overdue_after_one_month_not_before(handling, people, clock):
    line = _incoming(handling, people, copies=1)
    copy = handling.copies(people.clerk.id, line.id)[0]
    sheet = handling.circulate(people.clerk.id, copy.id, ["刘科长", "周干事", "吴部长"])
    assert sheet.due_at == add_months(clock.now, 1)
    handling.pass_on(people.clerk.id, sheet.id)
    clock.advance(days=27)
    assert handling.overdue(people.clerk.id) == []            # 27 days in March: not yet
    with pytest.raises(CopyUnavailableError, match="正在传阅"):
        handling.hand_over(people.clerk.id, copy.id, from_holder="周干事", to_holder="别人")
    clock.advance(days=5)                                      # 2 April: more than a month
    items = handling.overdue(people.clerk.id)
    assert [(o.kind, o.holder, o.line.number, o.urgent) for o in items] == [
        ("circulation", "周干事", line.number, False)]
    assert handling.overdue(people.director.id) == items      # the office sees it
    handling.circulation_back(people.clerk.id, sheet.id)
    assert handling.overdue(people.clerk.id) == []


def test_urgent_kinds_are_overdue_after_their_hours(handling, people, clock):
    handling.policy = HandlingPolicy(urgent_hours={"电报": 8.0})
    line = _incoming(handling, people, kind="电报", copies=1)
    copy = handling.copies(people.clerk.id, line.id)[0]
    handling.circulate(people.clerk.id, copy.id, ["刘科长"])
    clock.advance(hours=7)
    assert handling.overdue(people.clerk.id) == []
    clock.advance(hours=2)
    (item,) = handling.overdue(people.clerk.id)
    assert item.urgent and item.holder == "刘科长"
    # the office can also look ahead without moving any clock
    other = _incoming(handling, people, copies=1)
    c2 = handling.copies(people.clerk.id, other.id)[0]
    handling.circulate(people.clerk.id, c2.id, ["周干事"])
    ahead = handling.overdue(people.clerk.id, as_of=clock.now + timedelta(days=40))
    assert {o.line.number for o in ahead} == {line.number, other.number}


def test_policy_from_env_reads_hours_kinds_and_backups(tmp_path):
    p = HandlingPolicy.from_env({"DINGMI_URGENT_HOURS": "电报=12,快件=48",
                                 "DINGMI_HEAD_APPROVAL_KINDS": "部长办公会记录,考察材料",
                                 "DINGMI_BACKUP_DIRS": str(tmp_path)})
    assert dict(p.urgent_hours) == {"电报": 12.0, "快件": 48.0}
    assert p.head_kinds == ("部长办公会记录", "考察材料") and p.backup_dirs == (str(tmp_path),)


def _loan(handling, people, line, **kw):
    copy = handling.copies(people.clerk.id, line.id)[0]
    args = dict(borrower="周干事", purpose="起草材料参考", due_on=date(2026, 3, 20))
    args.update(kw)
    return handling.request_loan(people.clerk.id, copy.id, **args)


def test_ordinary_loan_approved_by_the_director_lent_returned_and_overdue(handling, people, clock):
    line = _incoming(handling, people, copies=1)
    loan = _loan(handling, people, line)
    assert (loan.approver, loan.status) == ("director", "requested")
    assert [x.id for x in handling.loans_to_approve(people.director.id)] == [loan.id]
    with pytest.raises(PermissionDeniedError):
        handling.lend(people.director.id, loan.id)
    with pytest.raises(Exception, match="未经批准"):
        handling.lend(people.clerk.id, loan.id)
    loan = handling.approve_loan(people.director.id, loan.id)
    loan = handling.lend(people.clerk.id, loan.id)
    assert handling.copies(people.clerk.id, line.id)[0].holder == "周干事"
    clock.advance(days=18)                                     # 20 March, the due date
    assert handling.overdue(people.clerk.id) == []
    clock.advance(days=1)
    (item,) = handling.overdue(people.clerk.id)
    assert (item.kind, item.holder) == ("loan", "周干事")
    assert [o.kind for o in handling.cleanup_list(people.leader.id).loans_overdue] == ["loan"]
    handling.return_loan(people.clerk.id, loan.id)
    assert handling.overdue(people.clerk.id) == []
    assert handling.loans(people.clerk.id)[0].status == "returned"


def test_minutes_of_the_heads_meeting_need_the_head(handling, people):
    line = _incoming(handling, people, title="部长办公会记录（第3次）", kind="部长办公会记录",
                     direction="internal", issuer="")
    loan = _loan(handling, people, line)
    assert loan.approver == "head"
    assert handling.loans_to_approve(people.director.id) == []
    with pytest.raises(LoanApprovalError, match=r"\[loan_approval_required\].*部长办公会记录"):
        handling.approve_loan(people.director.id, loan.id)
    assert handling.approve_loan(people.leader.id, loan.id).status == "approved"


def test_no_original_to_an_outside_unit_unless_the_head_approves_with_a_reason(handling, people):
    line = _incoming(handling, people, copies=1)
    loan = _loan(handling, people, line, unit="市纪委监委第三审查调查室")
    assert loan.approver == "head"
    with pytest.raises(OriginalNotLentError, match=r"\[original_not_lent\]"):
        handling.approve_loan(people.director.id, loan.id)
    with pytest.raises(OriginalNotLentError, match="写明理由"):
        handling.approve_loan(people.leader.id, loan.id)
    with pytest.raises(EmptyReasonError):
        handling.refuse_loan(people.leader.id, loan.id, reason=" ")
    loan = handling.approve_loan(people.leader.id, loan.id, reason="案件查办需要，阅后当日归还")
    assert (loan.status, loan.decision_reason) == ("approved", "案件查办需要，阅后当日归还")
    ev = [e for e in handling.wf.store.chain() if e.action == "loan_approve"][-1]
    assert ev.reason == "案件查办需要，阅后当日归还" and ev.actor_id == people.leader.id


def test_cleanup_list_and_actions(handling, people, clock, tmp_path):
    out_line = _incoming(handling, people, title="在外", copies=2)
    c_out = handling.copies(people.clerk.id, out_line.id)
    handling.hand_over(people.clerk.id, c_out[0].id, from_holder="办公室", to_holder="刘科长")
    handling.circulate(people.clerk.id, c_out[1].id, ["周干事", "吴部长"])
    done = _incoming(handling, people, title="已办结", copies=1)
    c = handling.copies(people.clerk.id, done.id)[0]
    handling.hand_over(people.clerk.id, c.id, from_holder="办公室", to_holder="刘科长")
    handling.hand_over(people.clerk.id, c.id, from_holder="刘科长", to_holder="办公室")
    due_back = _incoming(handling, people, title="应清退", copies=1, return_by=date(2026, 6, 30))
    clock.advance(days=120)
    lst = handling.cleanup_list(people.leader.id)
    assert {(p.line.title, p.copy.copy_no) for p in lst.copies_out} == {("在外", 1), ("在外", 2)}
    assert [p.line.title for p in lst.circulations_open] == ["在外"]
    assert [ln.title for ln in lst.to_dispose] == ["已办结"]
    assert [ln.title for ln in lst.to_send_back] == ["应清退"]
    with pytest.raises(CopyUnavailableError, match="未交回"):
        handling.archive(people.clerk.id, out_line.id)
    handling.archive(people.clerk.id, done.id, note="2026年上半年清理")
    handling.send_back(people.clerk.id, due_back.id)
    lst = handling.cleanup_list(people.clerk.id)
    assert lst.to_dispose == [] and lst.to_send_back == []
    assert [d.action for d in handling.disposals(people.clerk.id)] == ["archive", "send_back"]
    with pytest.raises(PermissionDeniedError):
        handling.cleanup_list(people.drafter.id)


def test_destruction_needs_two_witnesses(handling, people):
    line = _incoming(handling, people, copies=1)
    for w in ([], ["王某"], ["王某", "王某"], ["王某", people.clerk.name]):
        with pytest.raises(WitnessesRequiredError, match=r"\[witnesses_required\]"):
            handling.destroy(people.clerk.id, line.id, witnesses=w)
    rep = handling.destroy(people.clerk.id, line.id, witnesses=["王某", "冯某"])
    assert rep.line.status == "destroyed" and rep.disposal.witnesses == ["王某", "冯某"]
    assert rep.erased_document_id is None
    assert handling.copies(people.clerk.id, line.id)[0].state == "gone"


def _xlsx(rows):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_import_paper_register_reports_rows_that_do_not_fit(handling, people):
    data = _xlsx([
        ["涉密文件登记簿（2025年）"],
        ["登记编号", "类别", "文件标题", "来文单位", "文号", "密级", "保密期限", "份数", "收文日期", "种类"],
        ["收2025-0107", "收文", "关于干部考察工作的通知", "省委组织部", "省组通〔2025〕9号", "机密", "20年", 2,
         "2025年11月3日", "文件"],
        ["收2025-0108", "收文", "某县领导班子调整意见", "市委", "", "机密★任免正式公布后", "", 1,
         "2025-12-01", "急件"],
        [None, None, None, None, None, None, None, None, None, None],
        ["收2025-0109", "收文", "格式错误的一行", "市委", "", "很密", "", 1, "2025-12-02", ""],
        ["收2025-0110", "收文", "份数错误", "市委", "", "秘密", "", "两份", "2025-12-02", ""],
        ["收2025-0111", "收文", "日期错误", "市委", "", "秘密", "", 1, "去年", ""],
        ["收2025-0107", "收文", "编号重复", "市委", "", "秘密", "", 1, "2025-12-03", ""],
        ["收2025-0112", "收文", "", "市委", "", "秘密", "", 1, "2025-12-03", ""],
    ])
    rep = handling.import_xlsx(people.clerk.id, data)
    assert [ln.number for ln in rep.imported] == ["收2025-0107", "收2025-0108"]
    first, second = rep.imported
    assert (first.level, first.period_years, first.copies, first.dated) == (
        "机密", 20, 2, date(2025, 11, 3))
    assert (second.condition, second.kind) == ("任免正式公布后", "急件")
    assert [(r.row, r.code) for r in rep.rejected] == [
        (6, "invalid_decision"), (7, "invalid_decision"), (8, "usage_error"),
        (9, "usage_error"), (10, "empty_reason")]
    assert "很密" in rep.rejected[0].message and "编号" in rep.rejected[3].message
    assert len(handling.copies(people.clerk.id, first.id)) == 2
    ev = [e for e in handling.wf.store.chain() if e.action == "register_import"][-1]
    assert ev.detail["imported"] == 2 and len(ev.detail["rejected"]) == 5


@pytest.mark.parametrize("data", [b"not a workbook", b"PK\x03\x04broken"])
def test_import_refuses_what_is_not_a_workbook(handling, people, data):
    with pytest.raises(RegisterImportError, match=r"\[invalid_register_file\]"):
        handling.import_xlsx(people.clerk.id, data)


def test_import_needs_a_header_row(handling, people):
    with pytest.raises(RegisterImportError, match="未找到表头"):
        handling.import_xlsx(people.clerk.id, _xlsx([["甲", "乙"], [1, 2]]))


def test_history_tables_are_append_only_in_the_database(handling, people, store):
    line = _incoming(handling, people, copies=1)
    c = handling.copies(people.clerk.id, line.id)[0]
    handling.hand_over(people.clerk.id, c.id, from_holder="办公室", to_holder="刘科长")
    db = store.db_engine.url.database
    con = sqlite3.connect(db)
    try:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            con.execute("UPDATE copy_transfers SET to_holder = '别人'")
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            con.execute("DELETE FROM copy_transfers")
    finally:
        con.close()
