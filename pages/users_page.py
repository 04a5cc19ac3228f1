"""Users: the accounts with their roles and states; add, disable, enable, reset, change role (supervisors, audited)."""

import streamlit as st

from app import access, admin, i18n
from app.i18n import t

access.require("manage.users")
st.title(t("users.title"))
st.caption(t("users.intro"))
roles = list(admin.ROLES)

with st.form("user_add", clear_on_submit=True):
    st.markdown(f"**{t('users.add')}**")
    name_column, role_column, idp_column = st.columns([2, 1, 1])
    name = name_column.text_input(t("col.username"), key="ua_name", max_chars=64)
    new_role = role_column.selectbox(t("col.role"), roles, format_func=i18n.texter("role"), key="ua_role")
    idp = idp_column.checkbox(t("users.identity_provider"), key="ua_idp")
    if st.form_submit_button(t("users.create"), key="ua_submit", icon=":material/person_add:"):
        try:
            password = admin.add_user(name, new_role, idp)
        except ValueError:
            st.warning(t("users.invalid"))
        else:
            st.success(t("users.created", user=name.strip()))
            if password:
                st.code(password, language=None)
                st.caption(t("users.password_once"))

users = admin.users_frame()
with st.container(border=True):
    st.markdown(f"**{t('users.change')}**")
    chosen = st.selectbox(t("col.username"), list(users["username"]), index=None, key="um_user")
    buttons = st.columns(4)
    changed_role = buttons[3].selectbox(
        t("col.role"), roles, format_func=i18n.texter("role"), key="um_role", label_visibility="collapsed"
    )
    actions = {
        "disable": buttons[0].button(t("users.disable"), key="um_disable", disabled=chosen is None),
        "enable": buttons[1].button(t("users.enable"), key="um_enable", disabled=chosen is None),
        "reset": buttons[2].button(t("users.reset"), key="um_reset", disabled=chosen is None),
        "role": buttons[3].button(t("users.set_role"), key="um_set_role", disabled=chosen is None),
    }
    try:
        if actions["disable"] or actions["enable"]:
            admin.set_disabled(chosen, actions["disable"])
            st.success(t("users.done", user=chosen))
        elif actions["reset"]:
            st.code(admin.reset_password(chosen), language=None)
            st.caption(t("users.password_once"))
        elif actions["role"]:
            admin.set_role(chosen, changed_role)
            st.success(t("users.done", user=chosen))
    except (ValueError, LookupError):
        st.warning(t("users.invalid"))

users = admin.users_frame()
st.dataframe(
    users.assign(
        role=users["role"].map(lambda r: t(f"role.{r}")),
        state=users["state"].map(lambda s: t(f"users.state.{s}")),
        sign_in=users["sign_in"].map(lambda s: t(f"users.sign_in.{s}")),
    ),
    hide_index=True,
    column_config={c: t(f"col.{c}") for c in users.columns},
)
