"""Merchants: every scored shop ranked by risk, searchable and sortable; selecting one opens it."""

import streamlit as st

from app import access, i18n, market_data, sidebar, ui, url_state
from app.i18n import t
from app.status import warehouse_status

access.require("view.analysis")
status = warehouse_status()
filters = sidebar.current()
st.title(t("merchants.title"))
if not ui.require_scores(status):
    st.stop()

search_column, level_column = st.columns([2, 1])
search_column.text_input(t("merchants.search"), key="q", placeholder=t("merchants.search_hint"))
url_state.keep_valid("level", market_data.RISK_LEVELS, repeats=True)
level_column.multiselect(
    t("col.risk_level"),
    market_data.RISK_LEVELS,
    format_func=i18n.labeler("risk_level"),
    key="level",
    placeholder=t("filters.all"),
)

table = market_data.merchant_table(
    filters,
    search=st.session_state.get("q") or "",
    levels=tuple(st.session_state.get("level") or ()),
    lang=i18n.current_language(),
)
if ui.empty(table, "merchants.no_match"):
    st.stop()

matches = int(table["match_count"].iloc[0])
st.caption(
    t("merchants.count", shown=i18n.number(len(table)), total=i18n.number(matches))
    + " · "
    + t("common.select_to_open")
)
ui.merchant_table(table, "merchant_table", market_data.filter_options().platforms, height=600)
