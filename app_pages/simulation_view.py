"""The model page's switch panel (issue 14 §5): simulate a version on the recorded decisions,
then promote it, or roll back. Not a page: ``app_pages/model.py`` calls :func:`switch_panel`.

A version can be promoted from the page only after its simulation has been shown to this
user in this session (what it would change, would-be under-classifications first); a
roll-back needs none (it returns to what was in use before).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import streamlit as st

from app_pages import charts, common
from classifier.errors import ClassifierError
from classifier.oversight import Outcome
from classifier.training.registry import ModelVersion, Registry
from classifier.training.simulation import VersionSimulation, simulate_version
from classifier.workflow import Role
from classifier.workflow.states import MODEL_ROLES

_SEEN = "sim_seen"
_RESULT = "sim_result"


def _outcome(o: Outcome | None) -> str:
    return "—" if o is None else f"{o.level.label} {o.clause or ''}".strip()


def _run(ctx: common.Context, version: str, catalogue: bytes | None) -> VersionSimulation:
    assert ctx.user is not None
    if catalogue is None:
        return simulate_version(ctx.settings, ctx.workflow, ctx.user.id, version)
    with tempfile.TemporaryDirectory(dir=ctx.settings.home) as tmp:
        path = Path(tmp) / "catalogue.toml"
        path.write_bytes(catalogue)
        return simulate_version(ctx.settings, ctx.workflow, ctx.user.id, version,
                                catalogue_path=path)


def _show(sim: VersionSimulation) -> None:
    r = sim.report
    base = f"当前启用版本 {sim.active}" if sim.active else "记录中保存的系统建议"
    st.caption(f"版本 {sim.version}（密级目录 {sim.catalogue_version}）重放 {r.n} 份已定密文件，"
               f"基准：{base}。")
    m = st.columns(6)
    m[0].metric("重放文件", r.n)
    m[1].metric("建议将改变", len(r.changed))
    m[2].metric("调高", r.vs_baseline.up)
    m[3].metric("调低", r.vs_baseline.down)
    m[4].metric("低于最终决定（漏定）", r.vs_decision.down)
    m[5].metric("切换新增漏定", len(r.newly_under))
    if r.changed:
        st.markdown("**将改变的建议**（可能漏定的排在最前）")
        st.dataframe([{"": "⚠ 漏定" if x.under else "", "编号": int(x.doc_id), "文件名": x.title,
                       "最终决定": _outcome(x.decided), "现建议": _outcome(x.before),
                       "新建议": _outcome(x.after), "需人工审核": "是" if x.needs_review else "否"}
                      for x in r.changed], hide_index=True, width="stretch", key="sim_changes")
    else:
        st.success("所选版本对已定密文件的建议与当前完全相同。")
    rows = [{"定密依据": c.clause, "变化": name, "文件数": n} for c in r.per_clause
            for name, n in (("调高", c.up), ("调低", c.down), ("漏定", c.under)) if n]
    if rows:
        st.markdown("**按定密依据**")
        st.altair_chart(charts.bars(rows, x="定密依据", y="文件数", color="变化",
                                    sort=[c.clause for c in r.per_clause]), width="stretch")
    st.dataframe([{"定密依据": c.clause, "文件数": c.n, "改变": c.changed, "调高": c.up,
                   "调低": c.down, "漏定": c.under, "过度定密": c.over, "与决定一致": c.agree}
                  for c in r.per_clause], hide_index=True, width="stretch", key="sim_clauses")


def switch_panel(ctx: common.Context, reg: Registry, versions: list[ModelVersion]) -> None:
    """Simulation before a switch, promotion and roll-back of model versions.

    Parameters
    ----------
    ctx : Context
    reg : Registry
    versions : list of ModelVersion
        Every version, oldest first (non-empty).
    """
    user = ctx.user
    assert user is not None
    seen: set[str] = st.session_state.setdefault(_SEEN, set())
    st.subheader("切换前模拟")
    st.caption("用所选版本（也可换用新的密级目录）重新分析全部已定密文件（使用保存的提取文本，不重读原文件），"
               "与当前启用版本比较，列出建议会改变的文件，可能漏定的排在最前。启用一个版本前须先在此查看其模拟结果。")
    names = [v.version for v in versions]
    active = reg.active_name()
    others = [n for n in names if n != active] or names
    c1, c2 = st.columns([2, 3])
    version = c1.selectbox("候选版本", others, index=len(others) - 1, key="sim_version",
                           placeholder=common.PICK)
    upload = c2.file_uploader("新的密级目录（TOML，可不选）", type=["toml"], key="sim_catalogue")
    if st.button("运行模拟", key="sim_run"):
        try:
            with st.spinner("正在重放已定密文件…"):
                sim = _run(ctx, version, upload.getvalue() if upload else None)
        except ClassifierError as e:
            common.error(e)
        else:
            st.session_state[_RESULT] = sim
            if upload is None:
                seen.add(sim.version)
    sim = st.session_state.get(_RESULT)
    if isinstance(sim, VersionSimulation):
        _show(sim)

    st.subheader("启用与回退")
    may = Role(user.role) in MODEL_ROLES
    c1, c2 = st.columns(2)
    ready = version in seen and version != active
    hint = ("启用模型由办公室主任办理。" if not may else
            "该版本已是当前启用版本。" if version == active else
            "请先运行该版本的模拟并查看结果。" if version not in seen else
            "启用后，新上传文件的系统建议即由该版本给出。")
    c1.caption(hint)
    if c1.button(f"启用版本 {version}", type="primary", key="sim_promote",
                 disabled=not (may and ready)):
        try:
            ctx.workflow.require_model_steward(user.id)
            v = reg.promote(version, by=user.name)
            ctx.workflow.record_model_event(user.id, "model_promote", v.version,
                                            reg.check(v.version), simulated=True)
        except ClassifierError as e:
            common.error(e)
        else:
            common.flash(f"已启用模型版本 {v.version}。")
            st.rerun()
    c2.caption("回退到此前启用的版本（无需模拟）。")
    if c2.button("回退到上一版本", key="sim_rollback", disabled=not may):
        try:
            ctx.workflow.require_model_steward(user.id)
            v = reg.rollback(by=user.name)
            ctx.workflow.record_model_event(user.id, "model_rollback", v.version,
                                            reg.check(v.version))
        except ClassifierError as e:
            common.error(e)
        else:
            common.flash(f"已回退到模型版本 {v.version}。")
            st.rerun()
