"""定密助手 (dingmi) web app: ``streamlit run app.py`` (``make run``).

The entry page: settings, the database (created with demo users on first start), the login
(nothing else is shown until then), and the navigation between the pages in ``app_pages/``
that the user's role may see. No workflow logic here: the pages call :mod:`classifier.workflow`.
An error reaching this level is shown as a Chinese message with its code, never a traceback.

Source: issue 3 (§1 pages by role, §7 first start); issue 11 (§1 login, §9 errors).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import streamlit as st

from app_pages import common
from classifier.config import Settings
from classifier.errors import ClassifierError
from classifier.workflow import PAGE_ACCESS, Page, Role
from classifier.workflow.handling import HANDLING_PAGE_ROLES

os.umask(0o077)  # the data home's files: 0600, folders 0700 (issue 11 §8)
logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
log = logging.getLogger("dingmi.app")

st.set_page_config(page_title="定密助手", page_icon=str(Path(__file__).parent / "assets" / "icon.png"), layout="wide")
common.chinese_chrome()  # Streamlit's own English (uploader, date fields) in Chinese

try:
    ctx = common.init(Settings.from_env())
    common.warm_up_reader(ctx.settings)  # the OCR engine loads in the background (issue 15)
    user = common.signed_in(ctx.workflow)
except ClassifierError as e:  # e.g. the database cannot be opened
    common.error(e)
    st.stop()

pages = {
    Page.DRAFT: st.Page("app_pages/draft.py", title="拟定", icon=":material/edit_note:"),
    Page.REVIEW: st.Page("app_pages/review.py", title="审核", icon=":material/fact_check:"),
    Page.LEADING_GROUP: st.Page("app_pages/leading_group.py", title="领导小组", icon=":material/groups:"),
    Page.RECORDS: st.Page("app_pages/records.py", title="台账", icon=":material/menu_book:"),
    Page.MODEL: st.Page("app_pages/model.py", title="模型", icon=":material/model_training:"),
    Page.OVERVIEW: st.Page("app_pages/overview.py", title="定密概况", icon=":material/monitoring:"),
    Page.ACCOUNTS: st.Page("app_pages/accounts.py", title="账户", icon=":material/manage_accounts:"),
    Page.AUDIT: st.Page("app_pages/audit.py", title="审计", icon=":material/verified_user:"),
}
# Need to know (知悉范围): each role sees only the pages of its own work (workflow/states.py).
allowed = [pages[p] for p in PAGE_ACCESS[Role(user.role)]]
if user.role in HANDLING_PAGE_ROLES:  # the register of classified documents (issue 13)
    allowed.append(st.Page("app_pages/handling.py", title="登记簿", icon=":material/inventory_2:"))
if not allowed:
    st.info("您的账户尚未分配角色，请联系安全保密管理员。")
    common.logout_button(ctx.workflow)
    st.stop()
nav = st.navigation(allowed)

with st.sidebar:
    st.markdown(common.escape_markdown(f"当前用户：{user.name}（{Role(user.role).label}）"))
    common.logout_button(ctx.workflow)
    st.caption(
        "流程：承办人上传文稿并拟定密级 → 办公室主任审核（确认、变更或报领导小组）"
        " → 领导小组对疑难事项作出决定。所有操作记入审计记录。"
    )
    st.caption("系统只提供定密建议及其依据，不代替人作出决定。")

if st.session_state.pop("_user_changed", False):
    target = allowed[0]
    if target.url_path != nav.url_path:
        st.switch_page(target)

try:
    nav.run()
except ClassifierError as e:
    common.error(e)
except Exception as e:  # the last line of defence: no traceback, no path
    if type(e).__module__.startswith("streamlit"):  # st.stop, st.rerun, st.switch_page
        raise
    log.exception("unexpected error on a page")
    busy = "locked" in str(e).lower() or type(e).__name__ == "OperationalError"
    st.error("数据库暂时无法使用（可能正忙或连接中断），请稍后重试。" if busy
             else "系统内部错误，请稍后重试；如反复出现，请联系系统管理员。")
    common.technical_detail("store_error" if busy else "internal_error")
