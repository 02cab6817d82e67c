"""审计 (security auditor): verify the hash-chained audit record, its head hash, the events."""

from __future__ import annotations

from dataclasses import asdict

import streamlit as st

from app_pages import common
from app_pages.common import format_time
from classifier.errors import ClassifierError
from classifier.workflow import EVENT_LABELS, Role

ctx = common.context()
user = ctx.user
assert user is not None
st.title("审计记录")
st.caption("每条记录都以哈希与前一条相连：被修改、插入或删除的记录都会被发现。"
           "请定期打印链头哈希存档；之后输入它即可发现尾部被截去的记录。")

head = st.text_input("此前存档的链头哈希（可不填）", key="audit_head").strip() or None
try:
    report = ctx.workflow.audit_verify(user.id, head)
    events = ctx.workflow.audit_events(user.id)
except ClassifierError as e:
    common.error(e)
    st.stop()
if report.ok:
    st.success(f"审计记录完好：共 {report.count} 条。")
else:
    st.error(f"审计记录被改动：发现 {len(report.problems)} 处问题。")
    st.dataframe([asdict(p) for p in report.problems], hide_index=True, width="stretch")
st.markdown("**当前链头哈希**（打印存档）")
st.code(f"#{report.head_id}  {report.head}", language=None)

names = {u.id: u.name for u in ctx.workflow.users(include_inactive=True)}
st.dataframe(
    [{"编号": e.id, "时间": format_time(e.created_at), "操作": EVENT_LABELS.get(e.action, e.action),
      "用户": names.get(e.actor_id or 0, "—"),
      "角色": Role(e.actor_role).label if e.actor_role in set(Role) else (e.actor_role or "—"),
      "文件": e.document_id or "", "说明": e.reason, "哈希": (e.hash or "")[:16]}
     for e in reversed(events)],
    hide_index=True, width="stretch",
)
