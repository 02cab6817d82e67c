"""模型 (model): versions side by side, golden-set charts, learning curve, overrides, retrain."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import altair as alt
import streamlit as st

from app_pages import common, reasons_view, simulation_view
from classifier.engine.model import TextModel
from classifier.errors import ClassifierError, error_from_dict
from classifier.evaluation import METRIC_LABELS
from classifier.training.registry import STATUS_LABELS, TOLERANCE, Registry
from classifier.training.retrain import BackgroundRetrain
from classifier.workflow import FINAL_STATUSES, RETRAIN_ROLES, Role, Status

METRICS = {k: METRIC_LABELS[k][0] for k in ("macro_f1", "clause_top1", "under", "over")}


@st.cache_resource
def _job() -> BackgroundRetrain:
    return BackgroundRetrain()


@st.cache_resource(max_entries=8)
def _model(path: str, version: str, key_path: str) -> TextModel:
    from pathlib import Path

    from classifier.engine.signing import read_model_key

    return TextModel.load(Path(path), key=read_model_key(Path(key_path)))


ctx = common.context()
reg = Registry(ctx.settings.models_dir)
st.title("模型")
st.caption(f"每次训练都保留为一个版本。新版本只有在金标准评测集上不比当前版本差（容差 {TOLERANCE}，"
           "且漏定率不得升高）时才自动启用；否则保留为候选版本并说明原因。")
common.show_flash()

# --- retrain ------------------------------------------------------------------------
user = ctx.user
may_train = user is not None and Role(user.role) in RETRAIN_ROLES
job = _job()


@st.fragment(run_every=1.0 if job.status()["running"] else None)
def retrain_panel() -> None:
    state = job.status()
    c1, c2 = st.columns([1, 3])
    clicked = c1.button("重新训练模型", type="primary", key="model_retrain",
                        disabled=not may_train or state["running"],
                        help="用内置语料和本单位已确认、变更、领导小组决定的文件重新训练（后台运行）。")
    if not may_train:
        c2.caption("重新训练由办公室主任或管理员发起。")
    if clicked and may_train and user is not None:
        job.start(ctx.settings, started_by=user.name, steward=(ctx.workflow, user.id),
                  cv_folds=ctx.settings.retrain_cv_folds)
        st.rerun()
    if state["running"]:
        c2.progress(min(1.0, state["progress"]), text=f"正在训练：{state['stage']}"
                    f"（{state['started_by']} 发起）")
    elif state["started_by"] != (user.name if user else None):
        pass  # the outcome is told to the person who started the training only
    elif state["error"]:
        with c2:
            common.error(error_from_dict(state["error"]))
    elif state["result"] is not None:
        r = state["result"]
        msg = f"训练完成：版本 {r.report.version}，{r.report.n_docs} 篇样本。"
        if r.promoted:
            c2.success(msg + "已自动启用。")
            _model.clear()
        else:
            c2.warning(msg + "未启用，保留为候选：" + "；".join(r.reasons))
    if state["result"] is not None and not state["running"] and st.session_state.get(
            "_model_seen") != state["result"].report.version:
        st.session_state["_model_seen"] = state["result"].report.version
        st.rerun(scope="app")


retrain_panel()


# --- this machine's optional parts (dingmi doctor, issue 8) ----------------------------
@st.cache_data(ttl=60, show_spinner=False)
def _machine(home: str, database_url: str) -> dict[str, Any]:
    from classifier.doctor import run_checks

    return run_checks(ctx.settings).to_dict()


machine = _machine(str(ctx.settings.home), ctx.settings.database_url or "")
with st.expander("本机组件：" + (
        "在用功能所需组件齐全" if machine["ok"] else f"缺少 {len(machine['missing'])} 项必需组件")):
    for c in machine["checks"]:
        need = "必需" if c["required"] else "可选"
        hint = f"；安装：{c['install']}" if not c["ok"] and c["install"] else ""
        st.text(f"{'✓' if c['ok'] else '✗'} {need} {c['title']}：{c['detail']}{hint}")

versions = reg.versions()
if not versions:
    st.info("尚无模型版本。请点击“重新训练模型”。")
    st.stop()

# --- versions side by side ----------------------------------------------------------
st.subheader("各版本指标（金标准评测集）")
with st.expander("各项指标的含义", expanded=False):
    for name, explanation in METRIC_LABELS.values():
        st.markdown(f"**{name}**：{explanation}")
rows = []
for v in versions:
    m = v.metrics
    rows.append({"版本": v.version, "状态": STATUS_LABELS.get(v.status, v.status),
                 "创建时间": common.format_date(datetime.fromisoformat(v.created_at))
                 if v.created_at else "",
                 "学习的决定数": v.metadata.get("n_extra_docs", 0),
                 **{name: m.get(k) for k, name in METRICS.items()},
                 "交叉验证密级准确率": m["cv"].get("level_acc"),
                 "本单位决定密级准确率": m["decision_cv"].get("level_acc"),
                 "目录版本": v.metadata.get("catalogue_version"),
                 "未启用原因": v.reason or ""})
common.table(rows, pinned=("版本",))  # the version stays in view while the table scrolls
long = [{"版本": v.version[:15], "指标": name, "值": v.metrics[k]}
        for v in versions for k, name in METRICS.items() if v.metrics.get(k) is not None]
if long:
    st.altair_chart(
        alt.Chart(alt.Data(values=long)).mark_bar().encode(
            x=alt.X("版本:N", title=None, axis=alt.Axis(labelAngle=0)), xOffset="指标:N", y=alt.Y("值:Q", scale=alt.Scale(domain=[0, 1])),
            color=alt.Color("指标:N"), tooltip=["版本:N", "指标:N", alt.Tooltip("值:Q", format=".3f")]),
        width="stretch")

# --- learning curve -----------------------------------------------------------------
st.subheader("学习曲线")
st.caption("横轴：模型学习过的本单位决定数；纵轴：金标准集上的质量（每个点是一个模型版本）。")
curve = [{"决定数": v.metadata.get("n_extra_docs", 0), "指标": name, "值": v.metrics[k],
          "版本": v.version}
         for v in versions for k, name in METRICS.items() if k in ("macro_f1", "clause_top1")
         if v.metrics.get(k) is not None]
if curve:
    st.altair_chart(
        alt.Chart(alt.Data(values=curve)).mark_line(point=True).encode(
            x=alt.X("决定数:Q", axis=alt.Axis(format="d", tickMinStep=1)), y=alt.Y("值:Q", scale=alt.Scale(domain=[0.5, 1])),
            color="指标:N", tooltip=["版本:N", "决定数:Q", alt.Tooltip("值:Q", format=".3f")]),
        width="stretch")
else:
    st.info("还没有带金标准评测结果的版本。")

# --- one version: confusion matrix, per-clause precision/recall, top terms -----------
st.subheader("单个版本")
names = [v.version for v in versions]
active = reg.active_name()
chosen = st.selectbox("版本", names, index=names.index(active) if active in names else len(names) - 1,
                      key=f"model_version_{active}", placeholder=common.PICK,  # follows the active version
                      format_func=lambda n: n + ("（启用中）" if n == active else ""))
v = next(x for x in versions if x.version == chosen)
g = v.metadata.get("golden") or {}
if g.get("confusion"):
    left, right = st.columns(2)
    cells = [{"实际": gold, "建议": pred, "篇数": n}
             for gold, row in g["confusion"].items() for pred, n in row.items()]
    with left:
        st.markdown("**混淆矩阵**（金标准集：实际类别 × 系统建议）")
        base = alt.Chart(alt.Data(values=cells)).encode(x=alt.X("建议:N"), y=alt.Y("实际:N"))
        st.altair_chart(base.mark_rect().encode(color=alt.Color("篇数:Q", scale=alt.Scale(scheme="blues")),
                                                tooltip=["实际:N", "建议:N", "篇数:Q"])
                        + base.mark_text().encode(text="篇数:Q"), width="stretch")
    pr = [{"类别": c, "指标": name, "值": d[k]} for c, d in g["per_class"].items()
          for k, name in (("precision", "精确率"), ("recall", "召回率"))]
    with right:
        st.markdown("**各条款精确率 / 召回率**")
        st.altair_chart(
            alt.Chart(alt.Data(values=pr)).mark_bar().encode(
                y=alt.Y("类别:N", title=None), yOffset="指标:N",
                x=alt.X("值:Q", scale=alt.Scale(domain=[0, 1])), color="指标:N",
                tooltip=["类别:N", "指标:N", alt.Tooltip("值:Q", format=".2f")]),
            width="stretch")
else:
    st.info("该版本没有金标准评测结果（训练时未提供金标准评测集）。")

with st.expander("模型学到了什么：各条款权重最高的词"):
    try:
        model = _model(str(v.path), v.version, str(ctx.settings.model_key_path))
    except ClassifierError as e:
        common.error(e)
    else:
        st.dataframe(
            [{"类别": c, "名称": common.clause_label(ctx.catalogue, c) if c in ctx.catalogue else c,
              "权重最高的词": "、".join(t for t, _ in model.top_terms(c, 12))}
             for c in model.classes],
            hide_index=True, width="stretch")

simulation_view.switch_panel(ctx, reg, versions)
reasons_view.reasons_panel(ctx)  # recurring reasons, catalogue edits (issue 14 §1)

# --- overrides ----------------------------------------------------------------------
st.subheader("人工纠正（与系统建议不一致的决定）")
final = [s for s in ctx.workflow.documents(ctx.user.id, statuses=FINAL_STATUSES,
                                                       order="updated")
         if s.suggested_level is not None
         and (s.suggested_level, s.suggested_clause) != (s.level, s.clause)]
if final:
    st.dataframe([{"编号": s.id, "文件名": s.filename, "系统建议": f"{s.suggested_level} {s.suggested_clause or ''}".strip(),
                   "最终决定": f"{s.level} {s.clause or ''}".strip(), "状态": Status(s.status).label,
                   "决定人": s.decided_by, "时间": common.format_time(s.decided_at), "理由": s.decision_reason}
                  for s in final], hide_index=True, width="stretch")
else:
    st.caption("还没有与系统建议不一致的决定。")
