"""The model page's “反复出现的变更理由” panel (issue 14 §1): the reasons given per clause,
and the cue edits they suggest, accepted or rejected by the model's steward (the director);
others see the list read-only. Not a page: ``app_pages/model.py`` calls :func:`reasons_panel`.
"""

from __future__ import annotations

import streamlit as st

from app_pages import common
from classifier.errors import ClassifierError
from classifier.oversight.catalogue_edits import ACTION_LABELS
from classifier.suggest import make_tokenizer
from classifier.workflow import Role
from classifier.workflow.catalogue_edits import OUTCOME_LABELS, answer_edit, reason_review
from classifier.workflow.reasons import reason_labels
from classifier.workflow.states import MODEL_ROLES


def reasons_panel(ctx: common.Context) -> None:
    """Recurring reasons per clause, proposed catalogue edits, and the candidate catalogue."""
    user = ctx.user
    assert user is not None
    st.subheader("反复出现的变更理由")
    st.caption("按定密依据条款统计变更、领导小组决定和承办人拟定时选择的理由。同一条款上同一理由反复出现"
               "（不少于 3 次）时，系统据此提出修改保密事项范围提示词的建议；采纳后生成候选目录文件，"
               "可在上面的“切换前模拟”中选用该文件重放，确认无误后再由管理员启用，在用目录不会被自动修改。")
    home, path = ctx.settings.home, ctx.settings.catalogue_path
    try:
        review = reason_review(ctx.workflow, user.id, home=home, catalogue_path=path,
                               tokenize=make_tokenizer(ctx.settings, ctx.catalogue).tokens)
    except ClassifierError as e:
        common.error(e)
        return
    if not review.counts:
        st.caption("已定密文件中还没有选择过理由类别的决定。")
    else:
        st.dataframe([{"定密依据": r.clause, "理由": reason_labels([r.reason_code]), "次数": r.n,
                       "文件编号": "、".join(f"#{i}" for i in r.doc_ids[:8])}
                      for r in review.counts], hide_index=True, width="stretch",
                     key="reasons_counts")
    may = Role(user.role) in MODEL_ROLES
    st.markdown("**修改保密事项范围的建议**")
    if not review.proposals:
        st.caption("目前没有待处理的修改建议。")
    for k, p in enumerate(review.proposals):
        c1, c2, c3 = st.columns([5, 1, 1])
        c1.markdown(common.escape_markdown(
            f"条款 {p.clause}：{ACTION_LABELS[p.action]}“{p.term}”（理由：{reason_labels([p.reason_code])}，"
            f"{p.support} 份文件，例如 {'、'.join('#' + i for i in p.doc_ids)}）"))
        for col, outcome, label in ((c2, "accepted", "采纳"), (c3, "rejected", "驳回")):
            if col.button(label, key=f"reasons_{outcome}_{k}_{p.clause}_{p.action}",
                          disabled=not may):
                try:
                    written = answer_edit(ctx.workflow, user.id, p, outcome, home=home,
                                          catalogue_path=path)
                except ClassifierError as e:
                    common.error(e)
                else:
                    common.flash(f"已{label}条款 {p.clause} 的修改建议。"
                                 + (f"已生成候选目录文件 {written.name}。" if written else ""))
                    st.rerun()
    if not may:
        st.caption("修改建议由办公室主任处理。")
    if review.answered:
        with st.expander(f"已处理的修改建议（{len(review.answered)} 条）"):
            st.dataframe([{"条款": e.clause, "修改": ACTION_LABELS.get(e.action, e.action),
                           "提示词": e.term, "理由": reason_labels([e.reason_code]),
                           "文件数": e.support, "处理结果": OUTCOME_LABELS.get(e.outcome, e.outcome),
                           "时间": common.format_time(e.created_at)}
                          for e in review.answered], hide_index=True, width="stretch")
    if review.candidate is not None:  # the file name only: no directory names on the page
        st.info(common.escape_markdown(
            f"候选目录文件 {review.candidate.name} 已写入数据目录。可下载后在上面的“切换前模拟”中选用，"
            "查看采用后建议会如何变化。"))
        st.download_button("下载候选目录文件", review.candidate.read_bytes(),
                           file_name=review.candidate.name, mime="application/toml",
                           key="reasons_candidate")
