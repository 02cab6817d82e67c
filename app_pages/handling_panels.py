"""Panels of the handling of classified documents that other pages show (not a page itself):
the derived classification (派生定密) of a draft, with the quoted passages side by side.

Source: issue 13 (§6: the suggestion names the source record(s) with the overlapping passages
highlighted side by side, proposes the source's level and period, records the sources).
"""

from __future__ import annotations

import streamlit as st

from app_pages import common
from classifier.errors import ClassifierError
from classifier.workflow import Document
from classifier.workflow.handling import Handling, HandlingPolicy


def derived_panel(ctx: common.Context, doc: Document, key: str) -> None:
    """The registered secrets ``doc`` quotes or reproduces, and a button to record them.

    Shows nothing when the draft derives from no registered secret. A source outside the
    reader's need to know is named with its level, and only the draft's side is shown.
    """
    assert ctx.user is not None
    h = Handling(ctx.workflow, HandlingPolicy.from_env())
    try:
        view = h.derived_for(ctx.user.id, doc.id)
    except ClassifierError as e:
        common.error(e)
        return
    if view is None:
        return
    s = view.suggestion
    with st.container(border=True):
        st.warning(common.escape_markdown(f"派生定密：{s.message()}。派生定密不受本机关定密权限限制。"))
        for sid, ok, match in zip(view.source_ids, view.readable, s.sources, strict=True):
            source = ctx.workflow.document(sid, ctx.user.id) if ok else None
            common.plain(f"来源 #{sid}《{match.record.title}》（{match.record.mark}），"
                         f"共同段落 {len(match.passages)} 处，相似度 {match.jaccard:.0%}", bold=True)
            for p in match.passages[:5]:
                left, right = st.columns(2)
                with left:
                    common.plain(f"本稿：{doc.text[p.draft_start:p.draft_end]}")
                with right:
                    common.plain(f"来源：{source.text[p.source_start:p.source_end]}" if source
                                 else "来源：不在您的知悉范围内，不予显示")
        if view.recorded:
            st.caption("派生来源已记录。")
        elif st.button("记录派生来源", key=f"{key}_derived"):
            try:
                h.record_derived(ctx.user.id, doc.id)
            except ClassifierError as e:
                common.error(e)
            else:
                common.flash("派生来源已随定密决定记录。")
                st.rerun()


def release_notice(ctx: common.Context, document_id: int) -> None:
    """After an upload: check a public document against every open declassification condition.

    The uploader is told only that the document was kept as evidence for the office (how many
    records; never their titles, which may themselves be secret); the director and the leading
    group see the records on the 登记簿 page.
    """
    assert ctx.user is not None
    try:
        changed = Handling(ctx.workflow, HandlingPolicy.from_env()).observe_public(
            ctx.user.id, document_id)
    except ClassifierError as e:
        common.error(e)
        return
    if changed:
        st.info(f"该公开文件满足 {len(changed)} 件涉密事项的解密条件（部分或全部），"
                "已作为解密依据记录，并提交办公室审定。")
