"""Overview: headline numbers with their change, risk by platform / region / category, complaints, alerts, top shops."""

import streamlit as st

from app import access, charts, i18n, market_data, sidebar, ui, url_state
from app.i18n import t
from app.status import warehouse_status

access.require("view.analysis")
status = warehouse_status()
filters = sidebar.current()
st.title(t("overview.title"))
if not ui.require_scores(status):
    st.stop()

window = filters.window(status.as_of)
st.caption(t("overview.caption", window=ui.window_caption(status, window), run_id=status.run_id))

kpis = market_data.overview_kpis(filters)
columns = st.columns(4)
ui.kpi(columns[0], "kpi.merchants", kpis["merchants"], help_key="kpi.vs_previous_run")
ui.kpi(columns[1], "kpi.high_risk", kpis["high_risk"], help_key="kpi.vs_previous_run")
ui.kpi(columns[2], "kpi.complaints", kpis["complaints"], help_key="kpi.vs_previous_period")
ui.kpi(columns[3], "kpi.high_risk_gmv", kpis["high_risk_gmv"], kind="money", help_key="kpi.vs_previous_run")
if kpis["merchants"].previous is None:
    st.caption(t("kpi.no_previous_run"))

left, right = st.columns(2)
with left:
    dimensions = list(market_data.MERCHANT_DIMENSIONS)
    url_state.keep_valid("by", dimensions, repeats=False)
    st.session_state.setdefault("by", "platform")
    by = st.segmented_control(
        t("overview.breakdown"),
        dimensions,
        format_func=i18n.texter("dimension"),
        key="by",
        required=True,
    )
    breakdown = market_data.risk_breakdown(filters, by)
    if not ui.empty(breakdown, "common.no_shops"):
        st.plotly_chart(
            charts.risk_bars(breakdown, by, market_data.filter_options().platforms), key="risk_by_chart"
        )
with right:
    trend = market_data.series(filters, "complaints", "complaint_category", "week", status.as_of)
    if not ui.empty(trend, "common.no_complaints"):
        st.plotly_chart(
            charts.trend_lines(trend, "complaints", "complaint_category", "complaint_category"),
            key="complaint_trend",
        )

platform_names = market_data.filter_options().platforms
st.subheader(t("overview.alerts"))
alerts = market_data.spike_alerts(filters, status.as_of, limit=10)
if not ui.empty(alerts, "overview.no_alerts"):
    shown = alerts.assign(
        platform_id=alerts["platform_id"].map(lambda p: platform_names.get(p, p)),
        category=alerts["category"].map(lambda c: i18n.label("complaint_category", c)),
    )
    st.dataframe(
        shown,
        hide_index=True,
        column_config=ui.spike_alert_columns(),
    )

st.subheader(t("overview.top_shops"))
st.caption(t("common.select_to_open"))
top = market_data.merchant_table(filters, levels=("high", "medium"), lang=i18n.current_language(), limit=10)
if not ui.empty(top, "common.no_shops"):
    hidden = ("platform_id", "credit_code", "gmv_cny", "order_count")
    ui.merchant_table(top, "overview_top", platform_names, hidden=hidden)
