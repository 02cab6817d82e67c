"""账户 (system administrator, security administrator): accounts and roles (三员分立).

The system administrator adds accounts (with a first password to be changed), resets
passwords, lifts lockouts and disables accounts; the security administrator assigns roles.
Neither sees any document.
"""

from __future__ import annotations

import streamlit as st

from app_pages import common
from app_pages.common import format_time
from classifier.errors import ClassifierError
from classifier.workflow import Role

ctx = common.context()
user = ctx.user
assert user is not None
st.title("账户管理")
st.caption("三员分立：系统管理员管理账户，安全保密管理员分配角色，安全审计员查阅审计记录；"
           "三者均不参与定密工作，也不能查阅文件内容。")
common.show_flash()

try:
    accounts = ctx.workflow.accounts(user.id)
except ClassifierError as e:
    common.error(e)
    st.stop()
st.dataframe(
    [{"编号": u.id, "用户名": u.name, "角色": Role(u.role).label,
      "状态": ("已停用" if not u.active else "已锁定" if u.locked_until else "正常"),
      "须改口令": "是" if u.must_change_password else "", "锁定至": format_time(u.locked_until),
      "创建时间": format_time(u.created_at)} for u in accounts],
    hide_index=True, width="stretch",
)
names = {u.id: u.name for u in accounts if u.id != user.id}

if Role(user.role) is Role.SYSADMIN:
    with st.form("account_add"):
        st.subheader("添加账户")
        name = st.text_input("用户名", key="acc_name")
        first = st.text_input("初始口令（首次登录须修改）", type="password", key="acc_pw")
        if st.form_submit_button("添加", type="primary"):
            common.act(lambda: ctx.workflow.create_account(user.id, name, first),
                       lambda u: f"已添加账户 {u.name}，请安全保密管理员分配角色。")
    if names:
        st.subheader("账户维护")
        target = st.selectbox("账户", list(names), format_func=names.get, key="acc_target",
                              placeholder=common.PICK)
        new_pw = st.text_input("新的初始口令", type="password", key="acc_reset_pw")
        c1, c2, c3 = st.columns(3)
        if c1.button("重置口令", key="acc_reset"):
            common.act(lambda: ctx.workflow.reset_password(user.id, target, new_pw),
                       lambda u: f"已重置 {u.name} 的口令。")
        if c2.button("解除锁定", key="acc_unlock"):
            common.act(lambda: ctx.workflow.unlock(user.id, target),
                       lambda u: f"已解除 {u.name} 的锁定。")
        if c3.button("停用账户", key="acc_disable"):
            common.act(lambda: ctx.workflow.disable(user.id, target),
                       lambda u: f"已停用 {u.name}。")
elif Role(user.role) is Role.SECADMIN and names:
    with st.form("account_role"):
        st.subheader("分配角色")
        target = st.selectbox("账户", list(names), format_func=names.get, key="role_target",
                              placeholder=common.PICK)
        role = st.selectbox("角色", [r.value for r in Role if r is not Role.NONE],
                            format_func=lambda r: Role(r).label, key="role_value",
                            placeholder=common.PICK)
        if st.form_submit_button("分配", type="primary"):
            common.act(lambda: ctx.workflow.assign_role(user.id, target, role),
                       lambda u: f"已将 {u.name} 的角色设为{Role(u.role).label}。")
