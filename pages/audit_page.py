"""Audit log: every login, unmasking, export and change, newest first; read-only, filterable, exportable (supervisors)."""

import streamlit as st

from app import access, admin, exports, i18n
from app.i18n import t

access.require("view.audit")
st.title(t("audit.title"))
check = admin.chain_check()
if check.ok:
    st.success(
        t("audit.chain_ok", count=check.entry_count, head=check.head_hash[:16]), icon=":material/verified:"
    )
else:
    st.error(t("audit.chain_broken", entry=check.first_bad_entry_id))

action_column, actor_column = st.columns([2, 1])
actions = action_column.multiselect(
    t("col.action"),
    list(admin.AUDIT_ACTIONS),
    format_func=i18n.texter("audit.action"),
    key="au_actions",
    placeholder=t("filters.all"),
)
actor = actor_column.text_input(t("col.actor"), key="au_actor", max_chars=100)
rows = admin.audit_frame(tuple(actions), actor)
st.caption(t("audit.count", count=len(rows)))
st.dataframe(
    rows[list(admin.AUDIT_COLUMNS)].assign(action=rows["action"].map(lambda a: t(f"audit.action.{a}"))),
    hide_index=True,
    column_config={c: t(f"col.{c}") for c in admin.AUDIT_COLUMNS},
)
exports.download(
    admin.audit_csv(rows),
    label=t("audit.export"),
    file_name="audit-log.csv",
    mime="text/csv",
    key="au_csv",
    target="audit_log",
    row_count=len(rows),
    filters={"actions": sorted(actions), "actor": actor.strip()},
    action="export.audit",
)
