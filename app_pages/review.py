"""审核 (director): the queue of proposals, oldest first; confirm, override or escalate.

The director also ticks the passages that decide the level (the suggestion's evidence starts
ticked); they are stored with a confirmation or an override and train the passage model.
The workflow's guards may route a confirmation or an override to the leading group or to the
superior (报请上级定密); the page says so. Change and declassification requests wait here for
the office's check (审定).
"""

from __future__ import annotations

import streamlit as st

from app_pages import blind_panels, common, handling_panels, oversight_panels
from app_pages.common import format_time
from classifier.errors import ClassifierError
from classifier.workflow import Document, ReasonCode, Role, Status
from classifier.workflow.blind import BLIND_LABEL


def _outcome(ctx: common.Context, new: Document, settled: str) -> str:
    """The flash message: settled, or where the guards sent it and why."""
    if new.status == Status.ESCALATED:
        why = ctx.workflow.decisions(new.id)[-1].reason
        return f"#{new.id} 不能由办公室主任单独确定，已报领导小组。{why}"
    if new.status == Status.REFERRED:
        return f"#{new.id} 超出本机关定密权限，已按{new.mark or new.level}先行管理并报请上级定密。"
    return settled + (f" 登记编号：{new.register_number}。" if new.register_number else "")


ctx = common.context()
st.title("审核")
st.caption(
    "默认按拟定时间从早到晚排列待审核文件，也可按模型不确定度排序；标 ⚠ 的是承办人拟定意见与系统建议不一致的，请重点核对。"
    "可以确认、变更（必须说明理由），或把拿不准的事项报领导小组。"
)
common.show_flash()

order = st.radio("排序", ["proposed", "uncertain"], horizontal=True, key="review_order",
                 format_func={"proposed": "按拟定时间（先到先审）",
                              "uncertain": "按模型不确定度（最拿不准的在前）"}.get,
                 help="模型不确定度 = 1 − 系统建议的置信度。先审模型最拿不准的文件，"
                      "这些决定对改进模型最有帮助。")
assert ctx.user is not None
requests = ctx.workflow.documents(ctx.user.id, statuses=[Status.CHANGE_PROPOSED.value])
if requests:
    with st.expander(f"待审定的变更、解密申请（{len(requests)} 件）", expanded=True):
        req_ids = {r.id: r for r in requests}
        rid = st.selectbox("申请", list(req_ids), key="review_req", placeholder=common.PICK,
                           format_func=lambda i: f"#{i} {req_ids[i].filename}（现为 "
                           f"{req_ids[i].mark or req_ids[i].level}，申请改为 "
                           f"{req_ids[i].proposed_level or ''}，申请人 {req_ids[i].drafter_name}）")
        st.caption(common.escape_markdown(f"申请理由：{ctx.workflow.proposals(rid)[-1].note}"))
        opinion = st.text_input("审定意见（必填）", key=f"review_req_{rid}_opinion")
        a1, a2, _ = st.columns([1, 1, 3])
        if a1.button("同意，报领导小组审批", key=f"review_req_{rid}_ok", type="primary"):
            common.act(lambda: ctx.workflow.check_change(ctx.user.id, rid, opinion=opinion),
                       lambda new: f"已审定 #{rid}，报领导小组审批。")
        if a2.button("不同意", key=f"review_req_{rid}_no"):
            common.act(lambda: ctx.workflow.reject_change(ctx.user.id, rid, reason=opinion),
                       lambda new: f"已退回 #{rid} 的申请。")

queue = ctx.workflow.review_queue(order=order, reader_id=ctx.user.id)
by_id = {s.id: s for s in queue}
gone = st.session_state.get("review_doc")
if gone is not None and gone not in by_id and gone != st.session_state.get("review_acted"):
    assert ctx.user is not None
    other = ctx.workflow.document(gone, ctx.user.id)
    st.warning(common.escape_markdown(
        f"您先前打开的 #{gone}《{other.filename}》已由他人处理（当前状态：{Status(other.status).label}）。"))
if not queue:
    st.info("目前没有待审核的文件。")
    st.stop()

common.table(
    [
        {"编号": s.id, "": "⚠" if s.disagrees else "", "文件名": s.filename,
         "拟定人": s.drafter_name, "拟定时间": format_time(s.proposed_at),
         "拟定密级": s.mark or s.level, "定密依据": s.clause or "—",
         "系统建议": BLIND_LABEL if s.suggestion_withheld
         else f"{s.suggested_level or '—'} {s.suggested_clause or ''}".strip(),
         "不确定度": None if s.confidence is None else round(1 - s.confidence, 2)}
        for s in queue
    ],
    pinned=("编号", "文件名"),
)
if st.session_state.get("review_doc") not in by_id:
    st.session_state["review_doc"] = queue[0].id
doc_id = st.selectbox(
    "选择要审核的文件", list(by_id), key="review_doc", placeholder=common.PICK,
    format_func=lambda i: f"{'⚠ ' if by_id[i].disagrees else ''}#{i} {by_id[i].filename}"
    f"（{by_id[i].drafter_name}拟定：{by_id[i].mark or by_id[i].level}）",
)
doc, suggestion, expected = common.open_case(ctx, doc_id, "review")
if blind_panels.judge_first(ctx, doc, ctx.workflow.suggestion_for(doc.id, ctx.user.id)):
    st.stop()  # blind mode: the director's own judgement first (issue 14 §3)
with st.expander("定密审批表"):
    common.document_downloads(ctx, doc, "review")
common.case_panes(ctx, doc, suggestion, "拟定意见",
                  "拟定意见与系统建议不一致。" if by_id[doc.id].disagrees else None)
handling_panels.derived_panel(ctx, doc, f"review_{doc.id}")  # 派生定密 (issue 13)
oversight_panels.similar_notice(ctx, doc)  # near-identical settled documents (issue 14)

st.subheader("审核意见")
user = ctx.user
allowed = ctx.workflow.allowed_actions(user, doc) if user else []
if user is None or Role(user.role) != Role.DIRECTOR:
    st.info("审核由办公室主任办理。")
elif not allowed:
    st.info("这是您本人拟定的文件，不能由本人审核，请由其他审核人办理。")
else:
    ticked = common.passage_picker(f"review_{doc.id}", doc, suggestion)
    st.caption("快捷键：确认 Alt+Q，变更 Alt+B，报领导小组 Alt+L（先在相应页签中填写并勾选核对）；"
               "Tab 键在各栏之间移动。")
    confirm_tab, override_tab, escalate_tab = st.tabs(["确认", "变更", "报领导小组"])
    with confirm_tab, st.form(f"confirm_{doc.id}"):
        st.caption("同意承办人的拟定意见（密级、期限、依据、知悉范围）。依据“其它保密事项”、密级与条款不符、"
                   "或超出本机关定密权限的，将按规定报领导小组或报请上级确定。")
        remark = st.text_input("审核意见（可不填）", key=f"confirm_{doc.id}_remark")
        issued = st.date_input("制发日期（保密期限起算日）", value=None, key=f"confirm_{doc.id}_issued",
                               help="不填则为今天。", format="YYYY-MM-DD")
        confirm_code = st.selectbox("密级低于条款规定时的理由", [None, *ReasonCode],
                                    key=f"confirm_{doc.id}_code", placeholder=common.PICK,
                                    format_func=lambda c: "（无）" if c is None else c.label)
        sure_confirm = common.confirm_step(f"confirm_{doc.id}")
        do_confirm = st.form_submit_button("确认拟定意见", type="primary", shortcut="Alt+Q")
    with override_tab, st.form(f"override_{doc.id}"):
        st.caption("改定密级、期限、依据或知悉范围，必须写明理由。")
        c = common.classification_inputs(
            f"override_{doc.id}", ctx.catalogue, level=doc.level, clause=doc.clause,
            years=doc.period_years, condition=doc.condition,
        )
        scope = st.text_input("知悉范围", value=doc.scope or "", key=f"override_{doc.id}_scope",
                              help="定为国家秘密时必填：可以知悉的人员或岗位。")
        reason = st.text_area("变更理由（必填）", key=f"override_{doc.id}_reason", height=80)
        codes = common.reason_select(f"override_{doc.id}_codes")  # issue 14 §1
        sure_override = common.confirm_step(f"override_{doc.id}")
        do_override = st.form_submit_button("变更", shortcut="Alt+B")
    with escalate_tab, st.form(f"escalate_{doc.id}"):
        st.caption("是否属于国家秘密、属于何种密级不明确或有争议的，报保密领导小组确定。")
        question = st.text_area("提请领导小组研究的问题（必填）", key=f"escalate_{doc.id}_q",
                                height=80)
        do_escalate = st.form_submit_button("报领导小组", shortcut="Alt+L")
    try:
        if do_confirm and common.confirmed(sure_confirm):
            new = ctx.workflow.confirm(user.id, doc.id, reason=remark, expected_version=expected,
                                       passages=ticked, issued_on=issued, reason_code=confirm_code)
            st.session_state["review_acted"] = doc.id
            common.flash(_outcome(ctx, new, f"已确认 #{doc.id}：{new.mark or new.level}。"))
            st.rerun()
        if do_override and common.confirmed(sure_override):
            new = ctx.workflow.override(user.id, doc.id, c, reason=reason, reason_codes=codes,
                                        expected_version=expected, passages=ticked, scope=scope)
            st.session_state["review_acted"] = doc.id
            common.flash(_outcome(ctx, new, f"已变更 #{doc.id} 为 {new.mark or new.level}。"))
            st.rerun()
        if do_escalate:
            ctx.workflow.escalate(user.id, doc.id, question=question, expected_version=expected)
            st.session_state["review_acted"] = doc.id
            common.flash(f"已将 #{doc.id} 报领导小组。")
            st.rerun()
    except ClassifierError as e:
        common.error(e)
st.session_state["review_seen"][doc.id] = doc.version
