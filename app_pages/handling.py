"""登记簿 (handling): the 机要 clerk's register of classified documents — registration and import,
where every copy is, hand-overs and circulation, the overdue list, loans, the half-year
clean-up; release proposals for the director and the leading group (regulation 八)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import streamlit as st

from app_pages import common
from app_pages.common import format_date, format_time
from classifier.errors import ClassifierError
from classifier.workflow import Role
from classifier.workflow.handling import (
    COPY_STATE_LABELS,
    DIRECTION_LABELS,
    DOCUMENT_KINDS,
    LINE_STATUS_LABELS,
    LOAN_STATUS_LABELS,
    Handling,
    HandlingPolicy,
)

ctx = common.context()
assert ctx.user is not None
me = ctx.user
clerk = Role(me.role) is Role.CLERK
h = Handling(ctx.workflow, HandlingPolicy.from_env())
st.title("涉密文件登记簿")
st.caption("收文、发文和内部传递的涉密文件逐件登记编号；每份文件同一时间只有一名保管人，交接须在两名具名人员之间直接进行；"
           "传阅一般不超过一个月，电报、快件、急件须快传快阅快退；借阅须经批准；办公室每半年清理一次。")
common.show_flash()


def run(action, done: str) -> None:
    """Run a service action; a note after the rerun, or its coded error."""
    try:
        action()
    except ClassifierError as e:
        common.error(e)
    else:
        common.flash(done)
        st.rerun()


places = h.whereabouts(me.id)
label = {p.copy.id: f"{p.line.number} 第{p.copy.copy_no}份《{p.line.title}》" for p in places}
tabs = st.tabs(["文件去向", "超期清单", "借阅", "半年清理", "登记与导入", "解密提请"])

with tabs[0]:
    common.table([{"登记编号": p.line.number, "类别": DIRECTION_LABELS[p.line.direction],
                   "标题": p.line.title, "密级": p.line.level, "种类": p.line.kind,
                   "份号": p.copy.copy_no, "状态": COPY_STATE_LABELS.get(p.copy.state, p.copy.state),
                   "保管人": p.copy.holder + (f"（代{p.copy.holding_for}）" if p.copy.holding_for else ""),
                   "自": format_time(p.copy.since),
                   "登记状态": LINE_STATUS_LABELS[p.line.status]} for p in places],
                 pinned=("登记编号", "标题", "份号"))
    if clerk and places:
        with st.form("hd_handover"):
            st.markdown("**登记交接**（保管人直接交给具名接收人；交回办公室即“办公室”）")
            cid = st.selectbox("文件", list(label), format_func=label.get, key="hd_ho_copy",
                               placeholder=common.placeholder(label))
            c1, c2 = st.columns(2)
            giver = c1.text_input("交出人", key="hd_ho_from")
            taker = c2.text_input("接收人", key="hd_ho_to")
            if st.form_submit_button("登记交接"):
                run(lambda: h.hand_over(me.id, cid, from_holder=giver, to_holder=taker),
                    "交接已登记。")
        in_office = [p.copy.id for p in places if p.copy.state == "office"]
        with st.form("hd_circulate"):
            st.markdown("**发起传阅**（按顺序填写传阅人，以顿号或逗号分隔）")
            ccid = st.selectbox("文件", in_office, format_func=label.get, key="hd_ci_copy",
                                placeholder=common.placeholder(in_office))
            readers = st.text_input("传阅人", key="hd_ci_readers", placeholder="刘科长、周干事")
            if st.form_submit_button("发起传阅"):
                names = [r for r in readers.replace(",", "、").replace("，", "、").split("、") if r.strip()]
                run(lambda: h.circulate(me.id, ccid, names), "传阅单已建立。")
        sheets = [p for p in places if p.circulation is not None]
        if sheets:
            st.markdown("**传阅中的文件**")
            for p in sheets:
                s = p.circulation
                assert s is not None
                c1, c2, c3 = st.columns([4, 1, 1])
                c1.caption(f"{label[p.copy.id]}：{' → '.join(s.readers)}；现在“{p.copy.holder}”处，"
                           f"应于 {format_time(s.due_at)} 前交回")
                if c2.button("传下一位", key=f"hd_pass_{s.id}",
                             disabled=s.position + 1 >= len(s.readers)):
                    run(lambda s=s: h.pass_on(me.id, s.id), "已传给下一位传阅人。")
                if c3.button("交回", key=f"hd_back_{s.id}"):
                    run(lambda s=s: h.circulation_back(me.id, s.id), "已交回办公室。")
        with st.form("hd_standin"):
            st.markdown("**临时接替**（保管人外出时指定专人接替）")
            c1, c2 = st.columns(2)
            who = c1.text_input("外出的保管人", key="hd_si_holder")
            sub = c2.text_input("接替人", key="hd_si_by")
            back = st.checkbox("保管人已返回，收回由接替人代管的文件", key="hd_si_back")
            if st.form_submit_button("登记接替"):
                run(lambda: h.stand_in(me.id, holder=who, stand_in=sub, back=back), "接替已登记。")

with tabs[1]:
    day = st.date_input("截至日期", value=date.today(), key="hd_asof", format="YYYY-MM-DD",
                        help="可选择以后的日期，预先查看届时将超期的文件。")
    as_of = (datetime.combine(day, time(23, 59)).astimezone()
             if isinstance(day, date) and day > date.today() else None)
    items = h.overdue(me.id, as_of=as_of)
    st.caption(f"超期未交回：{len(items)} 件")
    common.table([{"登记编号": o.line.number, "标题": o.line.title, "份号": o.copy.copy_no,
                   "事项": "借阅" if o.kind == "loan" else "传阅",
                   "急件": "是" if o.urgent else "", "现在何处": o.holder,
                   "送出时间": format_time(o.since), "应交回时间": format_time(o.due)}
                  for o in items], pinned=("登记编号", "标题", "份号"))

with tabs[2]:
    if clerk and places:
        with st.form("hd_loan"):
            st.markdown("**登记借阅申请**")
            lendable = [p.copy.id for p in places if p.copy.state == "office"]
            lcid = st.selectbox("文件", lendable, format_func=label.get, key="hd_ln_copy",
                                placeholder=common.placeholder(lendable))
            c1, c2, c3 = st.columns(3)
            borrower = c1.text_input("借阅人", key="hd_ln_who")
            unit = c2.text_input("外单位（本部门人员不填）", key="hd_ln_unit")
            due = c3.date_input("归还日期", value=date.today() + timedelta(days=7), key="hd_ln_due",
                                format="YYYY-MM-DD")
            purpose = st.text_input("借阅事由", key="hd_ln_why")
            if st.form_submit_button("登记申请"):
                run(lambda: h.request_loan(me.id, lcid, borrower=borrower, purpose=purpose,
                                           due_on=due, unit=unit or None), "借阅申请已登记。")
    for loan in h.loans_to_approve(me.id):
        with st.container(border=True):
            st.markdown(common.escape_markdown(
                f"借阅申请 #{loan.id}：{loan.borrower}{'（' + loan.unit + '）' if loan.unit else ''}，"
                f"借阅 {label.get(loan.copy_id, loan.copy_id)}，至 {format_date(loan.due_on)}；事由：{loan.purpose}"))
            if loan.approver == "head":
                st.caption("须经部长批准" + ("；向外单位借阅原件须写明理由。" if loan.unit else "。"))
            reason = st.text_input("审批意见", key=f"hd_ap_reason_{loan.id}")
            c1, c2 = st.columns(2)
            if c1.button("批准", key=f"hd_ap_ok_{loan.id}", type="primary"):
                run(lambda loan=loan, r=reason: h.approve_loan(me.id, loan.id, reason=r), "已批准。")
            if c2.button("不批准", key=f"hd_ap_no_{loan.id}"):
                run(lambda loan=loan, r=reason: h.refuse_loan(me.id, loan.id, reason=r), "已退回申请。")
    loans = h.loans(me.id)
    common.table([{"编号": x.id, "文件": label.get(x.copy_id, x.copy_id), "借阅人": x.borrower,
                   "外单位": x.unit or "", "归还日期": x.due_on,
                   "审批": "部长" if x.approver == "head" else "办公室主任",
                   "状态": LOAN_STATUS_LABELS[x.status], "意见": x.decision_reason}
                  for x in loans], pinned=("编号", "文件"))
    if clerk:
        for x in loans:
            if x.status == "approved" and st.button(f"借出 #{x.id}", key=f"hd_lend_{x.id}"):
                run(lambda x=x: h.lend(me.id, x.id), "已借出。")
            if x.status == "lent" and st.button(f"归还 #{x.id}", key=f"hd_ret_{x.id}"):
                run(lambda x=x: h.return_loan(me.id, x.id), "已归还。")

with tabs[3]:
    lst = h.cleanup_list(me.id)
    st.caption(f"未交回 {len(lst.copies_out)} 份；借阅超期 {len(lst.loans_overdue)} 件；"
               f"传阅中 {len(lst.circulations_open)} 件；应清退 {len(lst.to_send_back)} 件；"
               f"待归档或销毁 {len(lst.to_dispose)} 件")
    common.table([{"登记编号": p.line.number, "标题": p.line.title, "份号": p.copy.copy_no,
                   "在何处": p.copy.holder, "状态": COPY_STATE_LABELS[p.copy.state]}
                  for p in lst.copies_out], pinned=("登记编号", "标题", "份号"))
    due_lines = {ln.id: ln for ln in [*lst.to_send_back, *lst.to_dispose]}
    common.table([{"登记编号": ln.number, "标题": ln.title,
                   "处置": "应清退" if ln in lst.to_send_back else "待归档或销毁"}
                  for ln in due_lines.values()], pinned=("登记编号", "标题"))
    if clerk and due_lines:
        with st.form("hd_dispose"):
            lid = st.selectbox("文件", list(due_lines), key="hd_dp_line", placeholder=common.PICK,
                               format_func=lambda i: f"{due_lines[i].number}《{due_lines[i].title}》")
            how = st.radio("处置方式", ["归档", "清退", "销毁"], horizontal=True, key="hd_dp_how")
            c1, c2 = st.columns(2)
            w1 = c1.text_input("监销人一（销毁时必填）", key="hd_dp_w1")
            w2 = c2.text_input("监销人二（销毁时必填）", key="hd_dp_w2")
            sure = common.confirm_step("hd_dispose")
            if st.form_submit_button("登记处置") and common.confirmed(sure):
                if how == "归档":
                    run(lambda: h.archive(me.id, lid), "已归档。")
                elif how == "清退":
                    run(lambda: h.send_back(me.id, lid), "已清退。")
                else:
                    try:
                        rep = h.destroy(me.id, lid, witnesses=[w1, w2])
                    except ClassifierError as e:
                        common.error(e)
                    else:
                        note = "已销毁。" + (f"以下备份仍可能存有该文件，请一并处理：{'；'.join(rep.backups)}"
                                            if rep.backups else "")
                        common.flash(note)
                        st.rerun()

with tabs[4]:
    if clerk:
        with st.form("hd_register"):
            st.markdown("**登记涉密文件**")
            c1, c2, c3 = st.columns(3)
            direction = c1.selectbox("类别", list(DIRECTION_LABELS), key="hd_rg_dir",
                                     format_func=DIRECTION_LABELS.get, placeholder=common.PICK)
            level = c2.selectbox("密级", ["秘密", "机密", "绝密"], index=1, key="hd_rg_level",
                                 placeholder=common.PICK)
            kind = c3.selectbox("种类", DOCUMENT_KINDS, key="hd_rg_kind", placeholder=common.PICK)
            title = st.text_input("文件标题", key="hd_rg_title")
            c1, c2, c3 = st.columns(3)
            issuer = c1.text_input("来文单位", key="hd_rg_issuer")
            number = c2.text_input("文号", key="hd_rg_number")
            recipient = c3.text_input("发往单位（发文）", key="hd_rg_to")
            c1, c2, c3 = st.columns(3)
            copies = c1.number_input("份数", min_value=1, max_value=999, value=1, key="hd_rg_copies")
            years = c2.number_input("保密期限（年，0 表示按解密条件或法定最长期限）", min_value=0,
                                    max_value=30, value=0, key="hd_rg_years")
            condition = c3.text_input("解密条件", key="hd_rg_cond")
            if st.form_submit_button("登记", type="primary"):
                run(lambda: h.register(me.id, direction=direction, title=title, level=level,
                                       copies=int(copies), kind=kind,
                                       period_years=int(years) or None,
                                       condition=condition or None, issuer=issuer,
                                       issuer_number=number, recipient=recipient),
                    "已登记。")
        st.markdown("**导入纸质登记簿**（Excel 工作簿，第一张工作表，表头含“文件标题”“密级”“份数”等列）")
        up = st.file_uploader("选择文件", type=["xlsx"], key="hd_import")
        if up is not None and st.button("导入", key="hd_import_go"):
            try:
                rep = h.import_xlsx(me.id, up.getvalue())
            except ClassifierError as e:
                common.error(e)
            else:
                st.success(f"已导入 {len(rep.imported)} 条；未导入 {len(rep.rejected)} 条。")
                common.table([{"行号": r.row, "原因": r.message} for r in rep.rejected],
                             pinned=("行号",))
                if rep.rejected:
                    common.technical_detail(", ".join(sorted({x.code for x in rep.rejected})))
    common.table([{"登记编号": ln.number, "类别": DIRECTION_LABELS[ln.direction], "标题": ln.title,
                   "来文单位": ln.issuer, "文号": ln.issuer_number, "发往单位": ln.recipient,
                   "密级": ln.level, "份数": ln.copies, "状态": LINE_STATUS_LABELS[ln.status],
                   "登记时间": format_time(ln.registered_at)} for ln in h.lines(me.id)],
                 pinned=("登记编号", "标题"))

with tabs[5]:
    views, by_hand = h.release_states(me.id)
    if not views and not by_hand:
        st.info("目前没有按解密条件跟踪的涉密事项。")
    for v in views:
        with st.container(border=True):
            common.plain(f"#{v.document_id}《{v.title}》：{v.state.message()}", bold=v.awaiting_review)
            for t, ev in zip(v.state.tracked.targets, v.state.evidence, strict=True):
                common.plain(f"· {t.label}：" + (f"已由《{ev.title}》（{ev.form}）满足——{ev.quote}"
                                                if ev else "尚未公布"))
            if v.review:
                st.caption("已办理：" + ("同意提请解密" if v.review.outcome == "accepted" else
                                     f"不予解密（{v.review.reason}）"))
            elif v.awaiting_review and Role(me.role) in (Role.DIRECTOR, Role.LEADING_GROUP):
                reason = st.text_input("意见", key=f"hd_rl_reason_{v.document_id}")
                c1, c2 = st.columns(2)
                if Role(me.role) is not Role.DIRECTOR:
                    c1.caption("待办公室主任审定；同意后报领导小组审批。")
                elif c1.button("同意提请解密", key=f"hd_rl_ok_{v.document_id}", type="primary"):
                    run(lambda v=v, r=reason: h.review_release(me.id, v.document_id, accept=True,
                                                               reason=r),
                        "已同意提请解密，已报领导小组审批。")
                if c2.button("不予解密", key=f"hd_rl_no_{v.document_id}"):
                    run(lambda v=v, r=reason: h.review_release(me.id, v.document_id, accept=False,
                                                               reason=r), "已记录。")
    for doc_id, why in by_hand:
        common.plain(f"#{doc_id}：{why}")
