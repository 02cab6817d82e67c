"""Oversight pieces the pages share (not a page): the consistency monitor of the database,
and the notice shown while deciding a document (issue 14 §4)."""

from __future__ import annotations

import streamlit as st

from app_pages import common
from classifier.errors import ClassifierError
from classifier.workflow import Document, Workflow
from classifier.workflow.oversight import ConsistencyMonitor, similar_notices


@st.cache_resource(show_spinner="正在建立相似文件索引…")
def _monitor(key: str, _wf: Workflow) -> ConsistencyMonitor:
    return ConsistencyMonitor(_wf)


def monitor(ctx: common.Context) -> ConsistencyMonitor:
    """The consistency monitor of this database, one per process (it hashes each settled
    document once and follows the register on every read)."""
    return _monitor(ctx.settings.db_url, ctx.workflow)


@st.cache_data(ttl=300, show_spinner=False, max_entries=256)
def _notices(key: str, reader_id: int, doc_id: int, version: int, _ctx: common.Context
             ) -> list[str]:
    return similar_notices(monitor(_ctx), reader_id, doc_id)


def similar_notice(ctx: common.Context, doc: Document) -> None:
    """Show, while deciding ``doc``, the settled documents near-identical to it and how they
    were decided (e.g. "《…》与本件相似度 96%，已定为秘密（依据 4.5）"); nothing when none."""
    if ctx.user is None:
        return
    try:
        notes = _notices(ctx.settings.db_url, ctx.user.id, doc.id, doc.version, ctx)
    except ClassifierError as e:
        common.error(e)
        return
    for note in notes:
        st.warning(common.escape_markdown("内容相近的已定密文件：" + note + "。请注意定密一致。"))
