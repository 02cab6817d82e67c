"""领导小组 (leading group): escalated matters, decided with a reason; change and
declassification requests the office has checked, approved or refused (五(五)3); the
approval form of the matter at hand."""

from __future__ import annotations

import streamlit as st

from app_pages import common
from app_pages.common import format_time
from classifier.workflow import Role, Status

ctx = common.context()
st.title("保密领导小组")
st.caption(
    "办公室主任提请研究的事项：是否属于国家秘密、属于何种密级不明确或有争议的，由领导小组确定。"
    "作出决定时须写明理由。"
)
common.show_flash()

requests = [s for s in ctx.workflow.documents(ctx.user.id, statuses=[Status.CHANGE_CHECKED.value])
            ] if ctx.user else []
if requests:
    with st.expander(f"待审批的变更、解密申请（{len(requests)} 件）", expanded=True):
        req_ids = {r.id: r for r in requests}
        rid = st.selectbox("申请", list(req_ids), key="lg_req", placeholder=common.PICK,
                           format_func=lambda i: f"#{i} {req_ids[i].filename}（现为 "
                           f"{req_ids[i].mark or req_ids[i].level}，申请改为 "
                           f"{req_ids[i].proposed_level or ''}）")
        st.caption(common.escape_markdown(f"申请理由：{ctx.workflow.proposals(rid)[-1].note}"))
        opinion = st.text_input("审批意见（必填）", key=f"lg_req_{rid}_opinion")
        sure = common.confirm_step(f"lg_req_{rid}")
        a1, a2, _ = st.columns([1, 1, 3])
        if a1.button("批准", key=f"lg_req_{rid}_ok", type="primary", disabled=not sure):
            common.act(lambda: ctx.workflow.approve_change(ctx.user.id, rid, reason=opinion),
                       lambda new: f"已批准 #{rid}：{Status(new.status).label}"
                       f"{'，' + new.mark if new.mark else ''}。")
        if a2.button("不同意", key=f"lg_req_{rid}_no"):
            common.act(lambda: ctx.workflow.reject_change(ctx.user.id, rid, reason=opinion),
                       lambda new: f"已退回 #{rid} 的申请。")

items = ctx.workflow.escalated()
if not items:
    st.info("目前没有提请领导小组研究的事项。")
    st.stop()

common.table(
    [
        {"编号": s.id, "文件名": s.filename, "拟定人": s.drafter_name,
         "拟定密级": s.mark or s.level, "提请人": s.decided_by,
         "提请时间": format_time(s.decided_at), "问题": s.decision_reason}
        for s in items
    ],
    pinned=("编号", "文件名"),
)
by_id = {s.id: s for s in items}
if st.session_state.get("lg_doc") not in by_id:
    st.session_state["lg_doc"] = items[0].id
doc_id = st.selectbox("选择事项", list(by_id), key="lg_doc", placeholder=common.PICK,
                      format_func=lambda i: f"#{i} {by_id[i].filename}")
doc, suggestion, expected = common.open_case(ctx, doc_id, "lg")

st.markdown("**提请研究的问题**")
common.plain(by_id[doc.id].decision_reason or "")
common.case_panes(ctx, doc, suggestion, "拟定与审核经过")

st.subheader("领导小组决定")
user = ctx.user
if user is None or Role(user.role) != Role.LEADING_GROUP:
    st.info("由保密领导小组成员作出决定。")
    st.stop()
ticked = common.passage_picker(f"lg_{doc.id}", doc, suggestion)
with st.form(f"decide_{doc.id}"):
    c = common.classification_inputs(
        f"decide_{doc.id}", ctx.catalogue, level=doc.level, clause=doc.clause,
        years=doc.period_years, condition=doc.condition,
    )
    reason = st.text_area("决定理由（必填）", key=f"decide_{doc.id}_reason", height=80)
    codes = common.reason_select(f"decide_{doc.id}_codes")  # issue 14 §1
    sure = common.confirm_step(f"decide_{doc.id}")
    do_decide = st.form_submit_button("作出决定", type="primary", shortcut="Alt+J")
st.caption("快捷键：作出决定 Alt+J（先填写并勾选核对）；Tab 键在各栏之间移动。")
if do_decide and common.confirmed(sure):
    common.act(lambda: ctx.workflow.decide(user.id, doc.id, c, reason=reason,
                                           expected_version=expected, passages=ticked,
                                           reason_codes=codes),
               lambda new: (f"#{doc.id} 超出本机关定密权限，已报请上级定密。"
                            if new.status == Status.REFERRED else
                            f"已决定 #{doc.id}：{new.mark or new.level}"
                            f"{'，登记编号 ' + new.register_number if new.register_number else ''}。"))
common.document_downloads(ctx, doc, "lg")
st.session_state["lg_seen"][doc.id] = doc.version
