"""定密助手 (dingmi) web app: ``streamlit run app.py`` (``make run``).

The entry page: settings, the database (created with demo users on first start), the
sidebar user picker, and the navigation between the four pages in ``app_pages/``. No
workflow logic here: the pages call :mod:`classifier.workflow`.

Source: issue 3 (§1 pages by role, §7 first start).
"""

from __future__ import annotations

import logging
from pathlib import Path

import streamlit as st

from app_pages import common
from classifier.config import Settings
from classifier.workflow import PAGE_ACCESS, Page, Role

logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

st.set_page_config(page_title="定密助手", page_icon=str(Path(__file__).parent / "assets" / "icon.png"), layout="wide")

ctx = common.init(Settings.from_env())
user = common.user_picker(ctx.workflow)

pages = {
    Page.DRAFT: st.Page("app_pages/draft.py", title="拟定", icon=":material/edit_note:", default=True),
    Page.REVIEW: st.Page("app_pages/review.py", title="审核", icon=":material/fact_check:"),
    Page.LEADING_GROUP: st.Page("app_pages/leading_group.py", title="领导小组", icon=":material/groups:"),
    Page.RECORDS: st.Page("app_pages/records.py", title="台账", icon=":material/menu_book:"),
    Page.MODEL: st.Page("app_pages/model.py", title="模型", icon=":material/model_training:"),
}
# Need to know (知悉范围): each role sees only the pages of its own work (workflow/states.py).
access = PAGE_ACCESS[Role(user.role)] if user is not None else (Page.DRAFT,)
allowed = [pages[p] for p in access]
nav = st.navigation(allowed)

with st.sidebar:
    st.caption(
        "流程：承办人上传文稿并拟定密级 → 办公室主任审核（确认、变更或报领导小组）"
        " → 领导小组对疑难事项作出决定。所有操作记入台账。"
    )
    st.caption("系统只提供定密建议及其依据，不代替人作出决定。")

if st.session_state.pop("_user_changed", False) and user is not None:
    target = allowed[0]
    if target.url_path != nav.url_path:
        st.switch_page(target)

nav.run()
