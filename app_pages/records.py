"""台账 (records): every document with status, level, clause, register number, date of issue
and end of period, who decided and when; export; the periods ending soon and the annual
review; the marked copy and the approval form of a document.

Opening the page runs the expiry job (五(五)1 自行解密, the same call as ``dingmi records
expire``): a period that has ended is declassified once, as an audit event.
"""

from __future__ import annotations

from dataclasses import astuple

import streamlit as st

from app_pages import common
from app_pages.common import format_time
from classifier.catalogue import LEVEL_LABELS
from classifier.errors import ClassifierError
from classifier.workflow import EVENT_LABELS, Role, Status
from classifier.workflow.outputs import review_to_xlsx
from classifier.workflow.register import HEADERS, to_csv, to_xlsx

ctx = common.context()
st.title("定密台账")
st.caption("全部文件的定密情况。可按状态、密级、上传日期筛选，或输入文件名、条款、拟定人、正文中的文字搜索；"
           "筛选结果可导出为 CSV 或 Excel。")
assert ctx.user is not None
try:
    expired = ctx.workflow.expire_due(ctx.user.id)
except ClassifierError as e:
    common.error(e)
else:
    for d in expired.declassified:
        st.info(common.escape_markdown(
            f"#{d.id}《{d.filename}》保密期限已届满，已自行解密，作为{d.level}事项管理。"))

c1, c2, c3, c4 = st.columns([2, 2, 3, 2])
statuses = c1.multiselect("状态", [s.value for s in Status], key="rec_status",
                          format_func=lambda v: Status(v).label, placeholder="全部")
levels = c2.multiselect("密级", list(LEVEL_LABELS), key="rec_level", placeholder="全部")
search = c3.text_input("搜索", key="rec_search", placeholder="文件名、条款、拟定人或正文")
dates = c4.date_input("上传日期", value=(), key="rec_dates", help="选择起止日期（含两端）。",
                      format="YYYY-MM-DD")
date_from = dates[0] if len(dates) >= 1 else None
date_to = dates[1] if len(dates) == 2 else date_from
differs = st.checkbox("只看人工判断与系统建议不一致的", key="rec_differs",
                      help="已定密的按最终决定、未定密的按承办人拟定意见，与系统建议的密级或定密依据比较。")

rows = ctx.workflow.records(ctx.user.id, statuses=statuses, levels=levels, search=search,
                            date_from=date_from, date_to=date_to, person_differs_only=differs)
st.caption(f"共 {len(rows)} 条")
common.table([dict(zip(HEADERS, astuple(r), strict=True)) for r in rows],
             pinned=("编号", "文件名"))
d1, d2, _ = st.columns([1, 1, 4])
d1.download_button("导出 CSV", to_csv(rows), file_name="定密台账.csv", mime="text/csv",
                   disabled=not rows, key="rec_csv")
d2.download_button(
    "导出 Excel", to_xlsx(rows), file_name="定密台账.xlsx", disabled=not rows, key="rec_xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)

if rows:
    names = {r.id: f"#{r.id} {r.filename}（{r.mark or r.level or r.status}）" for r in rows}
    picked = st.selectbox("选择文件", list(names), key="rec_pick", format_func=names.get,
                          placeholder=common.PICK)
    try:
        chosen = ctx.workflow.document(picked, ctx.user.id)
    except ClassifierError as e:
        common.error(e)
    else:
        common.document_downloads(ctx, chosen, "rec")

with st.expander("保密期限即将届满"):
    within = st.number_input("天数", min_value=0, max_value=3650, value=90, step=30,
                             key="rec_due_days")
    due = ctx.workflow.due(ctx.user.id, within_days=int(within))
    if due:
        common.table([{"编号": i.id, "登记编号": i.register_number, "文件名": i.filename,
                       "密级标志": i.mark, "制发日期": i.issued_on or "",
                       "届满日期": i.period_ends_on,
                       "剩余天数": i.days_left} for i in due], pinned=("登记编号", "文件名"))
    else:
        st.caption(f"{int(within)} 天内没有保密期限届满的文件。")
    review = ctx.workflow.annual_review(ctx.user.id)
    st.download_button("导出年度审核清单（Excel）", review_to_xlsx(review),
                       file_name="年度定密审核.xlsx", key="rec_review",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

if rows:
    with st.expander("办理记录（审计日志）"):
        names = {r.id: r.filename for r in rows}
        doc_id = st.selectbox("文件", list(names), key="rec_doc", placeholder=common.PICK,
                              format_func=lambda i: f"#{i} {names[i]}")
        users = {u.id: u.name for u in ctx.workflow.users(include_inactive=True)}
        st.dataframe(
            [
                {"时间": format_time(e.created_at), "办理人": users.get(e.actor_id or 0, "—"),
                 "角色": Role(e.actor_role).label if e.actor_role else "—",
                 "操作": EVENT_LABELS.get(e.action, e.action),
                 "状态变化": f"{Status(e.from_status).label if e.from_status else '—'} → "
                 f"{Status(e.to_status).label if e.to_status else '—'}",
                 "理由/说明": e.reason}
                for e in ctx.workflow.events(doc_id)
            ],
            hide_index=True,
            width="stretch",
        )

with st.expander("模型变化：当前模型会给出不同建议的文件"):
    st.caption("每条系统建议都记录了当时的模型版本和密级目录版本。用当前启用的模型重新分析"
               "筛选出的文件，列出建议发生变化的，便于追溯和复核。")
    if st.button("用当前模型重新分析", key="rec_changes", disabled=not rows):
        try:
            changes = ctx.workflow.suggestion_changes(ctx.suggester().classifier,
                                         ids=[r.id for r in rows])
        except ClassifierError as e:
            common.error(e)
        else:
            st.session_state["rec_changes_rows"] = [
                {"编号": c.id, "文件名": c.filename, "状态": Status(c.status).label,
                 "现定密级": f"{c.level or '—'} {c.clause or ''}".strip(),
                 "原建议": f"{c.then_level or '—'} {c.then_clause or ''}".strip(),
                 "原模型版本": c.then_model or "—", "原目录版本": c.then_catalogue or "—",
                 "现建议": f"{c.now_level} {c.now_clause or ''}".strip(),
                 "现模型版本": c.now_model,
                 "现建议与决定一致": "是" if c.now_agrees_with_decision else "否"}
                for c in changes
            ]
    found = st.session_state.get("rec_changes_rows")
    if found is not None:
        st.caption(f"建议发生变化的文件：{len(found)} 件")
        if found:
            common.table(found, pinned=("编号", "文件名"))
