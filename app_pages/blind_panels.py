"""Blind-mode pieces the pages share (not a page; issue 14 §3).

The rule of who sees a blind draft's suggestion, and when, is the workflow's
(:mod:`classifier.workflow.blind`); these panels only show what it hands out: the note that
the suggestion is withheld, the drafter's form that starts empty, and the director's
independent first judgement before the review.
"""

from __future__ import annotations

import streamlit as st

from app_pages import common
from classifier.catalogue import LEVEL_LABELS, Catalogue
from classifier.errors import ClassifierError
from classifier.oversight import AgreementReport
from classifier.workflow import Classification, Document
from classifier.workflow.blind import BLIND_BEFORE_JUDGEMENT, SuggestionView, chosen_level


def withheld_note(view: SuggestionView) -> None:
    """The plain Chinese note shown where the suggestion would be."""
    if view.note:
        st.info(view.note)


def neutral_inputs(key: str, catalogue: Catalogue) -> Classification | ClassifierError:
    """Level, clause, period and condition inputs that start empty (inside a form).

    Returns
    -------
    Classification or ClassifierError
        What was entered, or the coded error when no level was chosen (shown on submit).
    """
    c1, c2 = st.columns(2)
    level = c1.selectbox("密级", LEVEL_LABELS, index=None, key=f"{key}_level",
                         placeholder="请选择密级",
                         help="公开、内部不是国家秘密，无需定密依据和保密期限。")
    ids = ["", *catalogue.ids]
    clause = c2.selectbox("定密依据（保密事项范围条款）", ids, index=0, key=f"{key}_clause",
                          format_func=lambda c: common.clause_label(catalogue, c) if c else "（无）")
    c3, c4 = st.columns(2)
    years = c3.number_input("保密期限（年）", min_value=0, max_value=30, value=0, step=1,
                            key=f"{key}_years",
                            help="填 0 表示按解密条件；两项都不填则按法定最长期限。")
    condition = c4.text_input("解密条件", value="", key=f"{key}_condition",
                              help="例如：任免正式公布后、考试结束后。填写了年限时不使用。")
    try:
        lv = chosen_level(level)
    except ClassifierError as e:
        return e
    return Classification(lv, clause or None, int(years) or None, condition or None)


def judge_first(ctx: common.Context, doc: Document, view: SuggestionView) -> bool:
    """On a blind draft this director has not judged yet: the text and the small form of the
    independent first judgement (level and clause). Returns True while it is pending (the
    page then shows nothing else)."""
    if ctx.user is None:
        return False
    if view.withheld != BLIND_BEFORE_JUDGEMENT:
        mine = ctx.workflow.judgement(doc.id, ctx.user.id) if view.blind else None
        if mine is not None:  # the director compares it with the suggestion now shown
            st.caption(common.escape_markdown(
                f"您的独立判断（盲评）：{mine.level}"
                + (f"，依据 {common.clause_label(ctx.catalogue, mine.clause)}" if mine.clause
                   else "")))
        return False
    st.subheader("文稿")
    common.text_and_pages(ctx, doc, None)
    st.subheader("先作出独立判断")
    withheld_note(view)
    ids = ["", *ctx.catalogue.ids]
    with st.form(f"judge_{doc.id}"):
        c1, c2 = st.columns(2)
        level = c1.selectbox("密级", LEVEL_LABELS, index=None, key=f"judge_{doc.id}_level",
                             placeholder="请选择密级")
        clause = c2.selectbox(
            "定密依据（保密事项范围条款）", ids, index=0, key=f"judge_{doc.id}_clause",
            format_func=lambda c: common.clause_label(ctx.catalogue, c) if c else "（无）")
        submitted = st.form_submit_button("记录独立判断", type="primary")
    if submitted:
        try:
            ctx.workflow.judge(ctx.user.id, doc.id, level, clause or None)
        except ClassifierError as e:
            common.error(e)
        else:
            common.flash(f"已记录您对 #{doc.id} 的独立判断，下面可查看系统建议并审核。")
            st.rerun()
    return True


def agreement_split(report: AgreementReport) -> None:
    """Agreement of blind and of shown items side by side, and the difference (issue 14 §3):
    how much more people agree with the suggestion when they see it (automation bias)."""
    b = report.automation_bias
    st.markdown("**盲评与显示建议的对比**（盲评：判断时未显示系统建议；显示建议：判断时可见系统建议）")

    def _pct(x: float | None) -> str:
        return "—" if x is None else f"{x:.0%}"

    def _num(x: float | None) -> str:
        return "—" if x is None else f"{x:.2f}"

    st.dataframe([
        {"组别": "盲评", "文件数": b.n_blind, "原始一致率": _pct(b.observed_blind),
         "κ": _num(b.kappa_blind)},
        {"组别": "显示建议", "文件数": b.n_shown, "原始一致率": _pct(b.observed_shown),
         "κ": _num(b.kappa_shown)},
    ], hide_index=True, width="stretch")
    if b.difference is None:
        st.caption("盲评或显示建议的文件还没有，暂不能比较。盲评抽样比例由系统管理员设置。")
        return
    text = f"显示建议时的一致率比盲评高 {b.difference * 100:.1f} 个百分点" if b.difference >= 0 \
        else f"显示建议时的一致率比盲评低 {-b.difference * 100:.1f} 个百分点"
    if b.ci95 is not None:
        text += f"（95% 置信区间 {b.ci95[0] * 100:.1f} 至 {b.ci95[1] * 100:.1f} 个百分点）"
    st.metric("差值（显示建议 − 盲评）", f"{b.difference * 100:+.1f} 个百分点")
    if b.ci95 is not None and b.ci95[0] > 0:
        verdict = "差值的置信区间在零以上：显示建议时更多照搬系统建议（自动化偏倚）。"
    elif b.ci95 is not None and b.ci95[1] < 0:
        verdict = "差值的置信区间在零以下：显示建议时反而更少与系统一致，未见照搬系统建议。"
    else:
        verdict = "差值的置信区间包含零：目前的数据不足以说明有照搬系统建议的倾向。"
    st.caption(text + "。" + verdict)
