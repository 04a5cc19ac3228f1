"""Trends: complaints, orders and refunds over time by any dimension; category × region; spike alerts."""

import dataclasses

import streamlit as st

from app import access, charts, i18n, market_data, selection, sidebar, ui, url_state
from app.i18n import t
from app.status import warehouse_status

access.require("view.analysis")
status = warehouse_status()
filters = sidebar.current()
st.title(t("trends.title"))
if not ui.require_scores(status):
    st.stop()
window = filters.window(status.as_of)
st.caption(ui.window_caption(status, window))

measures = list(market_data.MEASURES)
url_state.keep_valid("measure", measures, repeats=False)
st.session_state.setdefault("measure", "complaints")
controls = st.columns([2, 2, 1])
measure = controls[0].selectbox(
    t("trends.measure"), measures, format_func=i18n.texter("measure"), key="measure"
)
kind = market_data.MEASURES[measure].kind
dimensions = list(market_data.TREND_DIMENSIONS[kind])
url_state.keep_valid("dim", dimensions, repeats=False)
st.session_state.setdefault("dim", dimensions[1])
dimension = controls[1].selectbox(
    t("trends.dimension"), dimensions, format_func=i18n.texter("dimension"), key="dim"
)
url_state.keep_valid("grain", market_data.GRAINS, repeats=False)
st.session_state.setdefault("grain", "week" if (window.days or 999) > 60 else "day")
grain = controls[2].selectbox(
    t("trends.grain"), market_data.GRAINS, format_func=i18n.texter("grain"), key="grain"
)

DIMENSION_LABELS = {
    "complaint_category": "complaint_category",
    "platform": "platform",
    "region": "region",
    "category": "merchant_category",
}
data = market_data.series(filters, measure, dimension, grain, status.as_of)
if not ui.empty(data, "common.no_rows"):
    event = st.plotly_chart(
        charts.trend_lines(data, measure, dimension, DIMENSION_LABELS.get(dimension)),
        key="trend_chart",
        on_select="rerun",
        selection_mode=("points", "box", "lasso"),
    )
    chosen = selection.selected_custom_data(event)
    rows = selection.rows_matching(
        data.assign(period_text=data["period"].astype(str)), chosen, ["value", "period_text"]
    )
    st.caption(t("trends.selected", count=len(chosen)) if chosen else t("trends.select_hint"))
    label_kind = DIMENSION_LABELS.get(dimension)
    st.dataframe(
        rows.drop(columns=["period_text"]).assign(
            value=rows["value"].map(lambda v: i18n.label(label_kind, v) if label_kind else t("common.total"))
        ),
        hide_index=True,
        column_config={
            "period": st.column_config.DateColumn(t(f"grain.{grain}")),
            "value": t(f"dimension.{dimension}"),
            "amount": st.column_config.NumberColumn(
                t(f"measure.{measure}"), format="%.3f" if measure == "refund_rate" else "localized"
            ),
        },
    )

st.subheader(t("trends.heatmap_title"))
cells = market_data.heatmap(filters, measure, status.as_of)
if not ui.empty(cells, "common.no_rows"):
    event = st.plotly_chart(
        charts.heat_squares(cells, measure),
        key="heat_chart",
        on_select="rerun",
        selection_mode=("points", "box"),
    )
    picked = selection.selected_custom_data(event)
    if picked:
        categories = tuple(sorted({c for c, _ in picked}))
        regions = tuple(sorted({r for _, r in picked}))
        narrowed = dataclasses.replace(filters, categories=categories, regions=regions)
        shops = market_data.merchant_table(narrowed, lang=i18n.current_language(), limit=200)
        st.caption(t("trends.cell_shops", count=len(shops)) + " · " + t("common.select_to_open"))
        if not ui.empty(shops, "common.no_shops"):
            ui.merchant_table(shops, "heat_shops", market_data.filter_options().platforms)
    else:
        st.caption(t("trends.heat_hint"))

st.subheader(t("trends.spikes"))
alerts = market_data.spike_alerts(filters, status.as_of, limit=200)
if not ui.empty(alerts, "overview.no_alerts"):
    names = market_data.filter_options().platforms
    event = st.plotly_chart(
        charts.spike_bars(alerts, names),
        key="spike_chart",
        on_select="rerun",
        selection_mode=("points", "box"),
    )
    alerts_text = alerts.assign(week_text=alerts["week"].astype(str))
    picked = selection.selected_custom_data(event)
    shown = selection.rows_matching(alerts_text, picked, ["platform_id", "category", "week_text"]).drop(
        columns=["week_text"]
    )
    st.dataframe(
        shown.assign(
            platform_id=shown["platform_id"].map(lambda p: names.get(p, p)),
            category=shown["category"].map(lambda c: i18n.label("complaint_category", c)),
        ),
        hide_index=True,
        column_config=ui.spike_alert_columns(),
    )
