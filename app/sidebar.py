"""The sidebar every page shares: language, global filters, and which scoring run is shown."""

from __future__ import annotations

import streamlit as st

from app import i18n, url_state
from app.filters import DEFAULT_PERIOD, PERIOD_DAYS, Filters
from app.i18n import t
from app.market_data import filter_options
from app.status import WarehouseStatus

FILTER_KEYS = ("period", "platform", "region", "category")


def language_picker() -> None:
    """Chinese or English, for the whole interface."""
    url_state.keep_valid(i18n.LANGUAGE_KEY, i18n.LANGUAGES, repeats=False)
    st.session_state.setdefault(i18n.LANGUAGE_KEY, i18n.DEFAULT_LANGUAGE)
    st.sidebar.segmented_control(
        t("sidebar.language"),
        i18n.LANGUAGES,
        format_func=i18n.LANGUAGE_NAMES.get,
        key=i18n.LANGUAGE_KEY,
        required=True,
    )


def _reset_filters() -> None:
    for key in FILTER_KEYS:
        st.session_state.pop(key, None)


def filters(status: WarehouseStatus) -> Filters:
    """Draw the global filters and return what they select (empty choices when there is nothing to filter)."""
    options = filter_options()
    sidebar = st.sidebar
    sidebar.subheader(t("filters.title"))
    url_state.keep_valid("period", PERIOD_DAYS, repeats=False)
    st.session_state.setdefault("period", DEFAULT_PERIOD)
    sidebar.selectbox(
        t("filters.period"), list(PERIOD_DAYS), format_func=i18n.labeler("period"), key="period"
    )
    choices = {
        "platform": (list(options.platforms), lambda p: f"{options.platforms.get(p, p)} ({p})"),
        "region": (list(options.regions), i18n.labeler("region")),
        "category": (list(options.categories), i18n.labeler("merchant_category")),
    }
    for key, (values, show) in choices.items():
        url_state.keep_valid(key, values, repeats=True)
        sidebar.multiselect(
            t(f"filters.{key}"), values, format_func=show, key=key, placeholder=t("filters.all")
        )
    sidebar.button(t("filters.reset"), on_click=_reset_filters, width="stretch")
    if status.run_id:
        sidebar.caption(t("filters.run", run_id=status.run_id, as_of=status.as_of))
    return current()


def current() -> Filters:
    """The filters as the session holds them now."""
    state = st.session_state
    return Filters(
        period=state.get("period", DEFAULT_PERIOD),
        platforms=tuple(state.get("platform") or ()),
        regions=tuple(state.get("region") or ()),
        categories=tuple(state.get("category") or ()),
    )
