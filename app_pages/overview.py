"""定密概况 (overview, the leading group and the directors): counts by level, clause and
month, what waits and what falls due, changes and their reasons; agreement between the model
and people (κ); the consistency alarm; XLSX export."""

from __future__ import annotations

import streamlit as st

from app_pages import blind_panels, charts, common, oversight_panels
from app_pages.common import format_time
from classifier.catalogue import LEVEL_LABELS
from classifier.workflow import Status
from classifier.workflow.oversight import (
    COMPARISONS,
    RATER_LABELS,
    agreement_overview,
    alarm,
)
from classifier.workflow.overview import (
    DUE_WITHIN_DAYS,
    OVERDUE_WORKING_DAYS,
    overview,
    overview_sheets,
    overview_xlsx,
)


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x:.0%}"


def _num(x: float | None) -> str:
    return "—" if x is None else f"{x:.2f}"




def _month(key: str) -> str:
    """``2026-02`` as 2026年02月, which still sorts by time (a key that is not a month is
    shown as it is)."""
    year, _, month = key.partition("-")
    return f"{year}年{month}月" if year.isdigit() and month.isdigit() else key  # 2026年02月: sorts


ctx = common.context()
user = ctx.user
assert user is not None
st.title("定密概况")
st.caption("本单位定密工作的总体情况：各密级、各条款、各月份的定密数量，待办和到期事项，"
           "改定意见及其理由；系统建议与人工判断的一致性；内容几乎相同而定密不一致的文件。")

ov = overview(ctx.workflow, user.id)
m = st.columns(6)
m[0].metric("台账文件", ov.total)
m[1].metric("已定密", ov.settled)
m[2].metric("待审核", len(ov.pending))
m[3].metric("报领导小组", len(ov.escalated))
m[4].metric("超期未办", len(ov.overdue), help=f"等待超过 {OVERDUE_WORKING_DAYS} 个工作日。")
m[5].metric("到期解密", len(ov.due), help=f"{DUE_WITHIN_DAYS} 天内保密期限届满（含已届满）的涉密文件。")
st.download_button("导出 Excel", overview_xlsx(ov), file_name=f"定密概况-{ov.today}.xlsx",
                   key="ov_xlsx",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

stats, agree, alarm_tab = st.tabs(["统计", "人机一致性", "相似文件预警"])

with stats:
    left, right = st.columns(2)
    with left:
        st.markdown("**各密级文件数**（已定密）")
        st.altair_chart(charts.bars([{"密级": k, "文件数": v} for k, v in ov.by_level.items()],
                                    x="密级", y="文件数", sort=LEVEL_LABELS), width="stretch")
    with right:
        st.markdown("**各定密依据文件数**")
        st.altair_chart(charts.bars([{"定密依据": k, "文件数": v} for k, v in ov.by_clause.items()],
                                    x="定密依据", y="文件数", sort=list(ov.by_clause),
                                    horizontal=True), width="stretch")
    st.markdown("**各月定密数量**（按最终决定时间）")
    if ov.by_month:
        st.altair_chart(charts.bars([{"月份": _month(mo), "密级": lv, "文件数": n}
                                     for mo, lv, n in ov.by_month],
                                    x="月份", y="文件数", color="密级"), width="stretch")
    else:
        st.caption("还没有已定密的文件。")
    if ov.reasons:
        st.markdown("**各定密依据的常见改定理由**（变更和领导小组决定所选的理由类别）")
        st.altair_chart(charts.bars([{"定密依据": cl, "理由类别": r, "决定数": n}
                                     for cl, r, n in ov.reasons],
                                    x="定密依据", y="决定数", color="理由类别",
                                    sort=list(dict.fromkeys(cl for cl, _, _ in ov.reasons))),
                        width="stretch")
    for name in ("超期", "待审核", "报领导小组", "到期解密", "改定及理由", "各条款常见理由"):
        headers, rows = overview_sheets(ov)[name]
        with st.expander(f"{name}（{len(rows)}）", expanded=name in ("超期", "到期解密") and bool(rows)):
            if rows:
                common.table([dict(zip(headers, r, strict=True)) for r in rows],
                             pinned=tuple(h for h in headers if h in ("编号", "文件名")))
            else:
                st.caption("无。")

with agree:
    ag = agreement_overview(ctx.workflow, user.id)
    st.caption("κ（Cohen's kappa）扣除了偶然一致：1 为完全一致，0 相当于随机。原始一致率是判断相同的文件占比。"
               "混淆矩阵的行是前者、列是后者。")
    c1, c2 = st.columns(2)
    comp = c1.selectbox("比较", COMPARISONS, key="ov_comp", placeholder=common.PICK,
                        format_func=lambda c: f"{RATER_LABELS[c[0]]} 与 {RATER_LABELS[c[1]]}")
    on = c2.radio("比较内容", ["level", "clause"], horizontal=True, key="ov_on",
                  format_func={"level": "密级", "clause": "定密依据"}.get)
    rep = (ag.level if on == "level" else ag.clause)[comp]
    k = st.columns(4)
    k[0].metric("文件数", rep.overall.n)
    k[1].metric("κ", _num(rep.overall.kappa))
    k[2].metric("原始一致率", _pct(rep.overall.observed))
    k[3].metric("偶然一致率", _pct(rep.overall.expected))
    blind_panels.agreement_split(rep)  # blind mode against anchoring (issue 14 §3)
    if rep.overall.n:
        a_name, b_name = RATER_LABELS[comp[0]], RATER_LABELS[comp[1]]
        left, right = st.columns(2)
        with left:
            st.markdown(f"**混淆矩阵**（行：{a_name}；列：{b_name}）")
            st.altair_chart(charts.confusion(rep.overall.labels, rep.overall.matrix,
                                             rows=a_name, cols=b_name), width="stretch")
        with right:
            st.markdown("**按人员**")
            st.dataframe([{"人员": p, "文件数": a.n, "κ": _num(a.kappa), "一致率": _pct(a.observed)}
                          for p, a in rep.by_person.items()], hide_index=True, width="stretch")
            st.markdown("**按月份**")
            st.dataframe([{"月份": _month(mo) if mo else "—", "文件数": a.n, "κ": _num(a.kappa),
                           "一致率": _pct(a.observed)} for mo, a in rep.by_month.items()],
                         hide_index=True, width="stretch")
    st.markdown("**人工改变系统建议最多的地方**（系统建议 → 最终审定；调高即系统建议偏低）")
    o = ag.overrides
    st.caption(f"共 {o.overall.n} 份：调高 {o.overall.up}，调低 {o.overall.down}，"
               f"仅改依据 {o.overall.clause_only}，一致 {o.overall.same}。")
    rows = [{"系统建议": lab, "方向": d, "文件数": n} for lab, c in o.by_label.items()
            for d, n in (("调高", c.up), ("调低", c.down), ("仅改依据", c.clause_only)) if n]
    if rows:
        st.altair_chart(charts.bars(rows, x="系统建议", y="文件数", color="方向",
                                    sort=list(o.by_label), horizontal=True), width="stretch")
    st.dataframe([{"系统建议": lab, "文件数": c.n, "改变": c.overridden, "调高": c.up, "调低": c.down,
                   "仅改依据": c.clause_only, "改变率": _pct(c.rate)} for lab, c in o.by_label.items()],
                 hide_index=True, width="stretch")

with alarm_tab:
    st.caption("内容几乎相同（字符片段相似度 ≥ 80%）而密级或定密依据不同的已定密文件，可能存在定密不当，"
               "请领导小组核查。查看正文受知悉范围限制，查阅涉密文件记入审计记录。")
    views = alarm(oversight_panels.monitor(ctx), user.id)
    if not views:
        st.success("未发现内容相似而定密不一致的文件。")
    else:
        def _dec(level: object, clause: str | None) -> str:
            return f"{getattr(level, 'label', level)} {clause or ''}".strip()

        common.table([{"相似度": _pct(v.pair.similarity), "差异": "密级" if v.pair.kind == "level" else "定密依据",
                       "文件甲": f"#{v.pair.doc_a} {v.pair.title_a}",
                       "甲的决定": _dec(v.pair.level_a, v.pair.clause_a),
                       "文件乙": f"#{v.pair.doc_b} {v.pair.title_b}",
                       "乙的决定": _dec(v.pair.level_b, v.pair.clause_b)} for v in views],
                     pinned=("文件甲",))
        i = st.selectbox("并排查看", range(len(views)), key="ov_pair", placeholder=common.PICK,
                         format_func=lambda j: f"#{views[j].pair.doc_a} 与 #{views[j].pair.doc_b}"
                         f"（相似度 {_pct(views[j].pair.similarity)}）")
        v = views[i]
        for col, doc_id, readable in zip(st.columns(2), v.ids, (v.readable_a, v.readable_b),
                                         strict=True):
            with col:
                if not readable:
                    st.info(f"#{doc_id} 不在您的知悉范围内，只显示其定密决定。")
                    continue
                doc = ctx.workflow.document(doc_id, user.id)
                common.plain(f"#{doc.id}《{doc.filename}》：{doc.mark or doc.level}，"
                             f"依据 {doc.clause or '—'}，{Status(doc.status).label}，"
                             f"更新于 {format_time(doc.updated_at)}", bold=True)
                common.show_text(doc, None)
