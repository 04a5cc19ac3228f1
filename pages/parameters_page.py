"""Scoring parameters: value, default and bounds of those a supervisor may change; changes need a reason (audited)."""

import streamlit as st

from app import access, admin
from app.i18n import t
from app.status import warehouse_status

access.require("manage.parameters")
st.title(t("params.title"))
st.caption(t("params.intro"))
names = list(admin.parameters_frame()["name"])

with st.form("param_edit"):
    st.markdown(f"**{t('params.edit')}**")
    name_column, value_column = st.columns([2, 1])
    name = name_column.selectbox(t("col.parameter"), names, index=None, key="pe_name")
    value = value_column.text_input(t("params.value"), key="pe_value", max_chars=32)
    reason = st.text_input(
        t("params.reason", min=admin.POLICY.min_reason_length),
        key="pe_reason",
        max_chars=admin.POLICY.max_reason_length,
    )
    save_column, reset_column = st.columns(2)
    save = save_column.form_submit_button(
        t("params.save"), key="pe_save", type="primary", icon=":material/save:"
    )
    reset = reset_column.form_submit_button(t("params.reset"), key="pe_reset", icon=":material/restart_alt:")
if (save or reset) and name is not None:
    try:
        change = admin.set_parameter(name, value, reason) if save else admin.reset_parameter(name, reason)
    except admin.ParameterError as error:
        st.warning(admin.parameter_problem(error))
    else:
        st.success(
            t("params.changed", name=name, before=change.before, after=change.after, default=change.default)
        )

st.info(t("params.next_run"), icon=":material/schedule:")
st.code("python -m pipelines score", language="bash")
status = warehouse_status()
if status.run_id:
    digest = admin.parameters_digest()
    same = bool(digest) and str(status.run_id).endswith(digest)
    st.caption(t("params.run_current" if same else "params.run_stale", run_id=status.run_id))

frame = admin.parameters_frame()
st.dataframe(
    frame[list(admin.PARAMETER_COLUMNS)].assign(help=frame["name"].map(admin.parameter_help)),
    hide_index=True,
    column_config={
        c: t("col.parameter" if c == "name" else f"col.{c}") for c in (*admin.PARAMETER_COLUMNS, "help")
    },
)
