"""Data: freshness per dataset, load history, quality checks, the quarantine (masked), and loading new files."""

import streamlit as st

from app import access, charts, i18n, ops_data, ui, url_state
from app.i18n import t
from app.status import warehouse_status

access.require("view.data")
status = warehouse_status()
st.title(t("data.title"))
if not ui.require_warehouse(status):
    st.stop()
if not status.has_staged:
    st.info(t("data.nothing_loaded"))

st.subheader(t("data.freshness"))
fresh = ops_data.freshness()
if not ui.empty(fresh, "data.nothing_loaded"):
    st.dataframe(
        fresh.assign(dataset=fresh["dataset"].map(lambda d: i18n.label("dataset", d))),
        hide_index=True,
        column_config={
            "dataset": t("col.dataset"),
            "rows_staged": st.column_config.NumberColumn(t("col.rows_staged"), format="localized"),
            "newest_row": st.column_config.DatetimeColumn(t("col.newest_row"), format="YYYY-MM-DD HH:mm"),
            "last_loaded_at": st.column_config.DatetimeColumn(
                t("col.last_loaded_at"), format="YYYY-MM-DD HH:mm"
            ),
            "days_since_load": st.column_config.NumberColumn(t("col.days_since_load"), format="%d"),
        },
    )

st.subheader(t("data.loads"))
loads = ops_data.load_history()
if not ui.empty(loads, "data.no_loads"):
    st.dataframe(
        loads.assign(
            status=loads["status"].map(lambda s: i18n.label("load_status", s)),
            dataset=loads["dataset"].map(lambda d: i18n.label("dataset", d)),
        ),
        hide_index=True,
        column_config={c: t(f"col.{c}") for c in loads.columns},
    )
checks = ops_data.load_checks()
if len(checks):
    with st.expander(t("data.checks", bad=int((checks["bad_row_count"] > 0).sum()))):
        st.dataframe(checks, hide_index=True, column_config={c: t(f"col.{c}") for c in checks.columns})

st.subheader(t("data.quarantine"))
counts = ops_data.quarantine_counts()
if not ui.empty(counts, "data.no_quarantine"):
    chart_data = counts.assign(
        label=counts["dataset"].map(lambda d: i18n.label("dataset", d)) + " · " + counts["reason_kind"]
    )
    st.plotly_chart(
        charts.ranked_bars(chart_data.head(15), "row_count", "label", t("data.by_reason")),
        key="quarantine_chart",
    )
    datasets = sorted(counts["dataset"].unique())
    url_state.keep_valid("dataset", datasets, repeats=False)
    st.session_state.setdefault("dataset", datasets[0])
    left, right = st.columns(2)
    dataset = left.selectbox(t("col.dataset"), datasets, format_func=i18n.labeler("dataset"), key="dataset")
    kinds = counts.loc[counts["dataset"] == dataset, "reason_kind"].tolist()
    kind = right.selectbox(
        t("data.reason"), kinds, index=None, placeholder=t("filters.all"), key="quarantine_reason"
    )
    rows = ops_data.quarantine_rows(dataset, kind)
    st.dataframe(rows, hide_index=True)
    st.caption(t("data.quarantine_note", limit=ops_data.QUARANTINE_ROW_LIMIT))

st.subheader(t("data.upload"))
if not access.allowed("upload"):
    st.caption(t("data.upload_supervisors"))
    st.stop()
st.caption(t("data.upload_hint", datasets=", ".join(ops_data.DATASET_NAMES)))
st.caption(t("data.upload_limits", mb=ops_data.POLICY.max_upload_mb, files=ops_data.POLICY.max_upload_files))
uploads = st.file_uploader(
    t("data.files"),
    type=["csv", "gz", "parquet", "xlsx"],
    accept_multiple_files=True,
    key="uploads",
    max_upload_size=ops_data.POLICY.max_upload_mb,
)
if st.button(t("data.load"), disabled=not uploads, key="load_uploads", icon=":material/upload:"):
    with st.status(t("data.loading"), expanded=True) as progress:
        report = ops_data.ingest_uploads(((f.name, f.getvalue()) for f in uploads), progress=progress.write)
        progress.update(label=t("data.loaded"), state="complete")
    st.dataframe(report, hide_index=True, column_config={c: t(f"col.{c}") for c in report.columns})
    st.info(t("data.rescore"))
