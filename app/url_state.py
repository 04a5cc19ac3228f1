"""Keep the URL and the session in step: every filter and page state can be shared as a link.

The session holds the state (widget keys are the URL parameter names); the URL mirrors it,
with codes rather than labels so a link works in either language. A URL that differs from
what the app last wrote (a shared link, the browser's back button, st.switch_page) is
adopted, parameter by parameter, before any widget is drawn.
"""

from __future__ import annotations

import streamlit as st

from app.filters import DEFAULT_PERIOD
from app.i18n import DEFAULT_LANGUAGE

# Parameters every page carries, with whether they repeat (?platform=P01&platform=P02).
GLOBAL_PARAMS: dict[str, bool] = {
    "lang": False,
    "period": False,
    "platform": True,
    "region": True,
    "category": True,
}
# Parameters only their page carries, by the page's url_path.
PAGE_PARAMS: dict[str, dict[str, bool]] = {
    "overview": {"by": False},
    "merchants": {"q": False, "level": True},
    "merchant": {"merchant_platform": False, "merchant": False},
    "platforms": {"drill": False},
    "trends": {"measure": False, "dim": False, "grain": False},
    "data": {"dataset": False},
    "method": {"run": False},
}
# Values left out of the URL because they are what a fresh session shows anyway.
DEFAULTS = {"lang": DEFAULT_LANGUAGE, "period": DEFAULT_PERIOD}
LAST_WRITTEN_KEY = "_url_last_written"


def _all_params() -> dict[str, bool]:
    merged = dict(GLOBAL_PARAMS)
    for params in PAGE_PARAMS.values():
        merged.update(params)
    return merged


def _current_url() -> dict[str, list[str]]:
    return {key: st.query_params.get_all(key) for key in st.query_params}


def adopt_url() -> None:
    """Copy parameters from the URL into the session when the URL is not the one the app last wrote."""
    url = _current_url()
    if url == st.session_state.get(LAST_WRITTEN_KEY):
        return
    for name, repeats in _all_params().items():
        values = [v for v in url.get(name, []) if v != ""]
        if values:
            # Raw strings: each widget checks them against its options before it is drawn.
            st.session_state[name] = values if repeats else values[-1]
    st.session_state[LAST_WRITTEN_KEY] = url


def params_for(page: str) -> dict[str, list[str]]:
    """The URL parameters of `page` from the session: the global filters and the page's own state."""
    wanted: dict[str, list[str]] = {}
    for name, repeats in {**GLOBAL_PARAMS, **PAGE_PARAMS.get(page, {})}.items():
        value = st.session_state.get(name)
        if value is None or value == "" or value == [] or DEFAULTS.get(name) == value:
            continue
        wanted[name] = [str(v) for v in value] if repeats else [str(value)]
    return wanted


def write_url(page: str) -> None:
    """Make the URL show the global filters and this page's own state (and nothing of other pages)."""
    wanted = params_for(page)
    if _current_url() != wanted:
        st.query_params.from_dict(wanted)
    st.session_state[LAST_WRITTEN_KEY] = wanted


def keep_valid(name: str, options, repeats: bool) -> None:
    """Drop a session value (from the URL, or from an earlier warehouse) that is not among the widget's options."""
    if name not in st.session_state:
        return
    value = st.session_state[name]
    allowed = set(options)
    if repeats:
        values = value if isinstance(value, list | tuple) else [value]
        kept = [v for v in values if v in allowed]
        if kept != list(values):
            st.session_state[name] = kept
    elif value not in allowed:
        del st.session_state[name]
