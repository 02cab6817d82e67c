"""拟定 (drafter): upload drafts, read the suggestion and its evidence, propose a level.

Many files at once: a progress bar (n of N, the file being read), then a summary table in
which the drafter accepts the suggestions or edits level, clause, period and 知悉范围 per row
and proposes the ticked rows at once, through the same service call as one by one.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import streamlit as st

from app_pages import blind_panels, common, handling_panels
from classifier.catalogue import LEVEL_LABELS
from classifier.errors import ClassifierError, user_message
from classifier.workflow import UPLOAD_ROLES, Classification, Role, Status
from classifier.workflow.blind import BLIND_LABEL, chosen_level
from classifier.workflow.reasons import REASON_LABELS

REASON_BY_LABEL = {label: code.value for code, label in REASON_LABELS.items()}

ctx = common.context()
st.title("拟定密级")
st.caption(
    "第一步：上传文稿（PDF、DOCX、OFD、WPS/DOC、表格、扫描图片或 TXT，可一次多份）。第二步：核对系统读出的文字、建议密级及其依据。"
    "第三步：填写拟定意见并提交审核（多份文稿可在汇总表中一并提交）。提交后，文件即按拟定密级管理。"
)
common.show_flash()

user = ctx.user
if user is None or Role(user.role) not in UPLOAD_ROLES:
    st.info("拟定密级由承办人办理。")
    st.stop()

uploads = st.file_uploader(
    "上传文稿", accept_multiple_files=True, key="draft_uploads",
    help="文件格式按内容识别。同一文件重复上传时，打开已有记录。",
)
st.caption("点击“选择文件”按钮选择文件（可一次选多份），或把文件拖到上面的框内。")
done: dict[str, int] = st.session_state.setdefault("draft_done", {})
batch: list[int] = st.session_state.setdefault("draft_batch", [])
new_files = [f for f in uploads or [] if f.file_id not in done]
if new_files:
    batch.clear()  # the summary table shows the files of the latest upload
    bar = st.progress(0.0)
for k, f in enumerate(new_files, 1):
    bar.progress((k - 1) / len(new_files),
                 text=common.escape_markdown(f"正在读取第 {k}/{len(new_files)} 份：《{f.name}》"))
    try:
        on_page = common.ocr_progress(bar, k, len(new_files), f.name)  # 正在识别第 k / K 页
        result = ctx.workflow.upload(user.id, f.getvalue(), f.name,
                                     partial(ctx.suggester().suggest_upload, on_page=on_page))
    except ClassifierError as e:
        st.error(common.escape_markdown(f"《{f.name}》未能读取：{user_message(e)}"))
        common.technical_detail(e.code)
        done[f.file_id] = -1
        continue
    done[f.file_id] = result.document.id
    if result.document.id not in batch:
        batch.append(result.document.id)
    if result.view and result.view.ocr:  # keep the scan to show its pages
        st.session_state.setdefault("draft_scans", {})[result.document.id] = f.getvalue()
    st.session_state["draft_doc"] = result.document.id
    if result.created:  # a public document may fulfil a declassification condition (issue 13)
        handling_panels.release_notice(ctx, result.document.id)
    if not result.created:
        st.info(common.escape_markdown(f"《{f.name}》此前已上传（记录 #{result.document.id}），已打开原记录。"))
if new_files:
    bar.progress(1.0, text=f"已读取 {len(new_files)} 份文稿。")

mine = ctx.workflow.documents(user.id, uploaded_by=user.id, order="updated")
if not mine:
    st.stop()
by_id = {s.id: s for s in mine}

# --- the summary table of a batch ---------------------------------------------------
NO_CLAUSE = "（无）"
clause_options = [NO_CLAUSE, *(common.clause_label(ctx.catalogue, c) for c in ctx.catalogue.ids)]
clause_of = {common.clause_label(ctx.catalogue, c): c for c in ctx.catalogue.ids}


def _row(doc_id: int) -> dict[str, Any]:
    """One line of the summary table: the suggestion, and the proposal to edit."""
    s = by_id[doc_id]
    view = ctx.workflow.suggestion_for(doc_id, user.id)
    if view.withheld:  # blind mode: no suggestion, no pre-filled proposal (issue 15 §3)
        return {"提交": False, "编号": doc_id, "文件": s.filename, "建议密级": BLIND_LABEL,
                "建议依据": BLIND_LABEL, "置信度": BLIND_LABEL, "需重点审核": "",
                "拟定密级": "", "定密依据": NO_CLAUSE, "保密期限（年）": 0, "解密条件": "",
                "知悉范围": "", "不一致理由": ""}
    sug = view.suggestion
    p = sug.payload if sug else {}
    conf = p.get("confidence")
    period = sug.period if sug else None
    return {
        "提交": True, "编号": doc_id, "文件": s.filename,
        "建议密级": p.get("level") or "—",
        "建议依据": p.get("clause") or "—",
        "置信度": f"{conf:.0%}" if isinstance(conf, int | float) else "—",
        "需重点审核": "是" if p.get("needs_review") or p.get("error") else "",
        "拟定密级": p.get("level") if p.get("level") in LEVEL_LABELS else "秘密",
        "定密依据": common.clause_label(ctx.catalogue, p.get("clause"))
        if p.get("clause") in ctx.catalogue else NO_CLAUSE,
        "保密期限（年）": (period.years or 0) if period else 0,
        "解密条件": (period.condition or "") if period else "",
        "知悉范围": "",
        "不一致理由": "",
    }


pending = [i for i in batch if i in by_id and Status(by_id[i].status) == Status.UPLOADED]
for line in st.session_state.pop("draft_batch_errors", []):
    st.error(common.escape_markdown(line[0]))
    common.technical_detail(line[1])
if len(batch) > 1 and pending:
    st.subheader(f"本次上传汇总（{len(pending)} 份待拟定）")
    st.caption("可直接采用系统建议，也可逐行修改密级、定密依据、期限、解密条件和知悉范围；"
               "勾选“提交”的各行一并提交审核，逐份核验，与单份提交相同。标“是”的请先逐份核对。")
    rows = [_row(i) for i in pending]
    if any(r["建议密级"] == BLIND_LABEL for r in rows):
        st.info("标“盲评”的文稿为盲评抽样，不显示系统建议，不能直接采用建议：请在该行自行选择拟定密级"
                "并勾选“提交”，提交后可查看系统建议。")
    edited = st.data_editor(
        rows, key=f"draft_table_{'_'.join(map(str, pending))}", hide_index=True, width="stretch",
        disabled=["编号", "文件", "建议密级", "建议依据", "置信度", "需重点审核"],
        column_config={
            "提交": st.column_config.CheckboxColumn("提交", pinned=True),
            "编号": st.column_config.NumberColumn("编号", format="%d", pinned=True),
            "文件": st.column_config.TextColumn("文件", pinned=True),
            "拟定密级": st.column_config.SelectboxColumn("拟定密级", options=LEVEL_LABELS,
                                                        required=True),
            "定密依据": st.column_config.SelectboxColumn("定密依据", options=clause_options,
                                                        required=True),
            "保密期限（年）": st.column_config.NumberColumn(
                "保密期限（年）", min_value=0, max_value=30, step=1,
                help="填 0 表示按解密条件；两项都不填则按法定最长期限。"),
            "解密条件": st.column_config.TextColumn("解密条件"),
            "知悉范围": st.column_config.TextColumn(
                "知悉范围", help="定为国家秘密时必填；不填的行使用下面的统一知悉范围。"),
            "不一致理由": st.column_config.SelectboxColumn(
                "不一致理由", options=list(REASON_BY_LABEL),
                help="拟定密级或依据与系统建议不一致时必选。"),
        },
    )
    common_scope = st.text_input("统一知悉范围（用于表中未填知悉范围的各行）", key="draft_batch_scope",
                                 placeholder="例如：部务会成员、干部一科承办人员")
    chosen = [r for r in edited if r["提交"]]
    if st.button(f"提交所选 {len(chosen)} 份审核", type="primary", key="draft_batch_submit",
                 disabled=not chosen):
        ok, failed = 0, []
        for r in chosen:
            doc_id = int(r["编号"])
            try:
                c = Classification(chosen_level(r["拟定密级"]), clause_of.get(r["定密依据"]),
                                   int(r["保密期限（年）"] or 0) or None,
                                   (r["解密条件"] or "").strip() or None)
                ctx.workflow.propose(user.id, doc_id, c, scope=(r["知悉范围"] or "").strip()
                                     or common_scope, expected_version=by_id[doc_id].version,
                                     reason_codes=[REASON_BY_LABEL[r["不一致理由"]]]
                                     if r.get("不一致理由") in REASON_BY_LABEL else None,
                                     suggestion_shown=True)
            except ClassifierError as e:
                failed.append((f"#{doc_id}《{r['文件']}》未提交：{user_message(e)}", e.code))
            else:
                ok += 1
        st.session_state["draft_batch_errors"] = failed
        if ok:
            common.flash(f"已提交 {ok} 份文稿审核。" + (f"另有 {len(failed)} 份未提交，见上方说明。"
                                                     if failed else ""))
        st.rerun()

# --- one document ---------------------------------------------------------------------
if st.session_state.get("draft_doc") not in by_id:
    st.session_state["draft_doc"] = mine[0].id
doc_id = st.selectbox(
    "我的文件", list(by_id), key="draft_doc", placeholder=common.PICK,
    format_func=lambda i: f"#{i} {by_id[i].filename} · {Status(by_id[i].status).label}"
    + (f" · {by_id[i].mark}" if by_id[i].mark else ""),
)
doc, suggestion, expected = common.open_case(ctx, doc_id, "draft")
view = ctx.workflow.suggestion_for(doc.id, user.id)  # blind mode: withheld until proposed

status = Status(doc.status)
if status != Status.UPLOADED:
    label = doc.mark or doc.level or "—"
    st.success(common.escape_markdown(f"当前状态：{status.label}。本文件按“{label}”管理。"))

left, right = st.columns([3, 2], gap="large")
with left:
    st.subheader("系统读出的文字")
    ocr = view.ocr
    if ocr:  # issue 5: text read by OCR is checked against the page it came from
        st.warning(f"下面的文字由文字识别读出（平均置信度 {ocr.mean_confidence:.0%}），"
                   "请核对识别文字，必要时对照原件页面。")
    common.text_and_pages(ctx, doc, suggestion, st.session_state.get("draft_scans", {}).get(doc.id))
with right:
    st.subheader("系统建议")
    if view.withheld:
        blind_panels.withheld_note(view)
    else:
        common.suggestion_card(suggestion, ctx.catalogue)

if status != Status.UPLOADED:
    st.stop()

st.subheader("拟定意见")
period = suggestion.period if suggestion else None
with st.form(f"propose_{doc.id}"):
    c: Classification | ClassifierError = blind_panels.neutral_inputs(
        f"propose_{doc.id}", ctx.catalogue) if view.withheld else common.classification_inputs(
        f"propose_{doc.id}", ctx.catalogue, level=suggestion.level if suggestion else None,
        clause=suggestion.clause if suggestion else None,
        years=period.years if period else None, condition=period.condition if period else None,
    )
    scope = st.text_input("知悉范围", key=f"propose_{doc.id}_scope",
                          placeholder="例如：部务会成员、干部一科承办人员",
                          help="定为国家秘密时必填：可以知悉的人员或岗位。")
    # Issue 14 §1: a proposal that departs from the suggestion needs a reason (the workflow
    # refuses it with reason_required otherwise).
    codes = common.reason_select(f"propose_{doc.id}_codes", "与系统建议不一致时的理由（不一致时必选）")
    note = st.text_area("备注（给审核人）", key=f"propose_{doc.id}_note", height=80)
    submitted = st.form_submit_button("提交审核", type="primary")
if submitted and isinstance(c, ClassifierError):
    common.error(c)
elif submitted and isinstance(c, Classification):
    chosen = c
    common.act(lambda: ctx.workflow.propose(user.id, doc.id, chosen, scope=scope, note=note,
                                            expected_version=expected, reason_codes=codes,
                                            suggestion_shown=True),
               lambda new: f"已提交审核。自即日起本文件按“{new.mark or new.level}”管理。")
st.session_state["draft_seen"][doc.id] = doc.version
