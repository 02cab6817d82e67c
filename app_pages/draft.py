"""拟定 (drafter): upload drafts, read the suggestion and its evidence, propose a level."""

from __future__ import annotations

import streamlit as st

from app_pages import common, handling_panels
from classifier.errors import ClassifierError
from classifier.workflow import UPLOAD_ROLES, Role, Status

ctx = common.context()
st.title("拟定密级")
st.caption(
    "第一步：上传文稿（PDF、DOCX、OFD、WPS/DOC、表格、扫描图片或 TXT，可一次多份）。第二步：核对系统读出的文字、建议密级及其依据。"
    "第三步：填写拟定意见并提交审核。提交后，文件即按拟定密级管理。"
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
st.caption("点击“Upload”按钮选择文件，或把文件拖到上面的框内。")
done: dict[str, int] = st.session_state.setdefault("draft_done", {})
for f in uploads or []:
    if f.file_id in done:
        continue
    try:
        with st.spinner("正在读取并分析文稿…"):
            result = ctx.workflow.upload(user.id, f.getvalue(), f.name, ctx.suggester().suggest_upload)
    except ClassifierError as e:
        common.error(e)
        done[f.file_id] = -1
        continue
    done[f.file_id] = result.document.id
    if result.suggestion and result.suggestion.ocr:  # keep the scan to show its pages
        st.session_state.setdefault("draft_scans", {})[result.document.id] = f.getvalue()
    st.session_state["draft_doc"] = result.document.id
    if result.created:  # a public document may fulfil a declassification condition (issue 13)
        handling_panels.release_notice(ctx, result.document.id)
    if not result.created:
        st.info(common.escape_markdown(f"《{f.name}》此前已上传（记录 #{result.document.id}），已打开原记录。"))

mine = ctx.workflow.documents(user.id, uploaded_by=user.id, order="updated")
if not mine:
    st.stop()
by_id = {s.id: s for s in mine}
if st.session_state.get("draft_doc") not in by_id:
    st.session_state["draft_doc"] = mine[0].id
doc_id = st.selectbox(
    "我的文件", list(by_id), key="draft_doc",
    format_func=lambda i: f"#{i} {by_id[i].filename} · {Status(by_id[i].status).label}"
    + (f" · {by_id[i].mark}" if by_id[i].mark else ""),
)
doc, suggestion, expected = common.open_case(ctx, doc_id, "draft")

status = Status(doc.status)
if status != Status.UPLOADED:
    label = doc.mark or doc.level or "—"
    st.success(common.escape_markdown(f"当前状态：{status.label}。本文件按“{label}”管理。"))

left, right = st.columns([3, 2], gap="large")
with left:
    st.subheader("系统读出的文字")
    common.show_text(doc, suggestion)
    ocr = suggestion.ocr if suggestion else None
    if ocr:  # issue 5: text read by OCR is checked against the page it came from
        st.warning(f"上面的文字由文字识别（OCR）读出（平均置信度 {ocr.mean_confidence:.0%}），"
                   "请核对识别文字，必要时对照原件页面。")
        data = st.session_state.get("draft_scans", {}).get(doc.id) or (
            ctx.workflow.original(doc.id, user.id) if doc.has_original else None)
        if data:
            from classifier.extract.image import page_images

            with st.expander("原件页面（扫描件）", expanded=True):
                for page, png in page_images(data, list(ocr.pages)):
                    st.image(png, caption=f"第{page}页", width="stretch")
with right:
    st.subheader("系统建议")
    common.suggestion_card(suggestion, ctx.catalogue)

if status != Status.UPLOADED:
    st.stop()

st.subheader("拟定意见")
period = suggestion.period if suggestion else None
with st.form(f"propose_{doc.id}"):
    c = common.classification_inputs(
        f"propose_{doc.id}", ctx.catalogue, level=suggestion.level if suggestion else None,
        clause=suggestion.clause if suggestion else None,
        years=period.years if period else None, condition=period.condition if period else None,
    )
    scope = st.text_input("知悉范围", key=f"propose_{doc.id}_scope",
                          placeholder="例如：部务会成员、干部一科承办人员",
                          help="定为国家秘密时必填：可以知悉的人员或岗位。")
    note = st.text_area("备注（给审核人）", key=f"propose_{doc.id}_note", height=80)
    submitted = st.form_submit_button("提交审核", type="primary")
if submitted:
    common.act(lambda: ctx.workflow.propose(user.id, doc.id, c, scope=scope, note=note,
                                            expected_version=expected),
               lambda new: f"已提交审核。自即日起本文件按“{new.mark or new.level}”管理。")
st.session_state["draft_seen"][doc.id] = doc.version
