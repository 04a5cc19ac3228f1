"""Platforms: the 12315-style scoreboard; selecting a platform lists its shops."""

import dataclasses

import streamlit as st

from app import access, charts, i18n, market_data, sidebar, ui, url_state
from app.i18n import t
from app.status import warehouse_status

access.require("view.analysis")
status = warehouse_status()
filters = sidebar.current()
st.title(t("platforms.title"))
if not ui.require_scores(status) or not status.has("out_platform_scoreboard"):
    st.stop()

board = market_data.platform_scoreboard(filters)
if ui.empty(board, "platforms.none"):
    st.stop()
if filters.regions or filters.categories:
    st.caption(t("platforms.filters_note"))


def drill_from_table() -> None:
    """A row picked in the scoreboard becomes the platform drilled into (and the URL's ?drill=)."""
    rows = st.session_state["scoreboard"].selection.rows
    if rows:
        st.session_state["drill"] = board.iloc[rows[0]]["platform_id"]


st.dataframe(
    board,
    key="scoreboard",
    column_order=["platform_name", *(c for c in board.columns if c not in ("run_id", "platform_name"))],
    hide_index=True,
    on_select=drill_from_table,
    selection_mode="single-row",
    column_config={
        "platform_id": t("col.platform_id"),
        "platform_name": t("col.platform"),
        "merchant_count": st.column_config.NumberColumn(t("col.merchants"), format="localized"),
        "high_risk_count": st.column_config.NumberColumn(t("col.high_risk_count"), format="localized"),
        "high_risk_share": st.column_config.ProgressColumn(
            t("col.high_risk_share"),
            min_value=0,
            max_value=float(max(board["high_risk_share"].max(), 0.01)),
            format="percent",
        ),
        "elevated_risk_count": st.column_config.NumberColumn(
            t("col.elevated_risk_count"), format="localized"
        ),
        "order_count": st.column_config.NumberColumn(t("col.orders"), format="localized"),
        "gmv_cny": st.column_config.NumberColumn(t("col.gmv_cny"), format="compact"),
        "high_risk_gmv_cny": st.column_config.NumberColumn(t("col.high_risk_gmv_cny"), format="compact"),
        "complaint_count": st.column_config.NumberColumn(t("col.complaints"), format="localized"),
        "complaints_per_1000_orders": st.column_config.NumberColumn(
            t("col.complaints_per_1000_orders"), format="%.2f"
        ),
        "complaints_30d": st.column_config.NumberColumn(t("col.complaints_30d"), format="localized"),
        "complaint_growth": st.column_config.NumberColumn(t("col.complaint_growth"), format="percent"),
        "mediation_success_rate": st.column_config.NumberColumn(
            t("col.mediation_success_rate"), format="percent"
        ),
        "settlement_rate": st.column_config.NumberColumn(t("col.settlement_rate"), format="percent"),
        "first_response_p50_hours": st.column_config.NumberColumn(
            t("col.first_response_p50_hours"), format="%.1f"
        ),
    },
)
st.caption(t("platforms.caption"))

named = board.assign(name=board["platform_name"].fillna(board["platform_id"]))
left, right = st.columns(2)
left.plotly_chart(
    charts.ranked_bars(named, "high_risk_share", "name", t("col.high_risk_share"), percent=True),
    key="share_chart",
)
right.plotly_chart(
    charts.ranked_bars(named, "complaints_per_1000_orders", "name", t("col.complaints_per_1000_orders")),
    key="rate_chart",
)

names = dict(zip(board["platform_id"], board["platform_name"].fillna(board["platform_id"]), strict=True))
url_state.keep_valid("drill", list(names), repeats=False)
st.selectbox(
    t("platforms.drill"),
    list(names),
    format_func=lambda p: f"{names[p]} ({p})",
    key="drill",
    index=None,
    placeholder=t("platforms.drill_hint"),
)
drill = st.session_state.get("drill")
if drill:
    st.subheader(t("platforms.shops_of", platform=names[drill]))
    shops = market_data.merchant_table(
        dataclasses.replace(filters, platforms=(drill,)), lang=i18n.current_language(), limit=200
    )
    if not ui.empty(shops, "common.no_shops"):
        st.caption(
            t(
                "merchants.count",
                shown=i18n.number(len(shops)),
                total=i18n.number(int(shops["match_count"].iloc[0])),
            )
            + " · "
            + t("common.select_to_open")
        )
        ui.merchant_table(shops, "platform_shops", names)
