"""Shared pieces of the pages: guidance when data is missing, the error boundary, shop tables, KPI tiles."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Iterator

import pandas as pd
import streamlit as st

from app import i18n, navigation, url_state
from app.i18n import t
from app.market_data import HARMS, Kpi
from app.status import WarehouseStatus

log = logging.getLogger("dashboard")
SCORE_COLUMNS = ("risk_score", *(f"{h}_score" for h in HARMS))


def require_scores(status: WarehouseStatus) -> bool:
    """True when a scored warehouse is there; otherwise explain what to run and return False."""
    if not require_warehouse(status):
        return False
    if not status.has_scores:
        st.warning(t("guide.not_scored"))
        st.code("python -m pipelines score", language="bash")
        return False
    return True


def require_warehouse(status: WarehouseStatus) -> bool:
    """True when the warehouse file exists and opens; otherwise explain how to build it."""
    if not status.exists:
        st.info(t("guide.no_warehouse", path=status.path))
        st.code(
            "python -m pipelines generate --out data/demo/feed --truth data/demo/truth\n"
            "python -m pipelines ingest data/demo/feed\n"
            "python -m pipelines score",
            language="bash",
        )
        return False
    if status.error:
        st.error(t("guide.unreadable", path=status.path, error=status.error))
        return False
    return True


@contextlib.contextmanager
def error_boundary() -> Iterator[None]:
    """Show an error as a short message with guidance, never a traceback; the traceback goes to the log."""
    try:
        yield
    except Exception as exc:  # Streamlit's own rerun/stop signals are BaseException and pass through
        log.exception("page failed")
        st.error(t("error.unexpected"))
        with st.expander(t("error.details")):
            st.text(f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")


def empty(frame: pd.DataFrame | None, message_key: str = "common.no_rows") -> bool:
    """True (and a hint on screen) when there is nothing to show."""
    if frame is None or len(frame) == 0:
        st.info(t(message_key))
        return True
    return False


def kpi(container, label_key: str, value: Kpi, kind: str = "number", help_key: str | None = None) -> None:
    """A KPI tile: the value, and its change when there is something to compare with."""
    show = {"number": lambda v: i18n.number(v), "money": i18n.money}[kind]
    delta = None
    if value.previous is not None:
        change = value.value - value.previous
        delta = (("+" if change >= 0 else "−") + show(abs(change))) if change else "0"
    container.metric(
        t(label_key),
        show(value.value),
        delta=delta,
        delta_color="inverse",  # more risk, more complaints: red
        help=t(help_key) if help_key else None,
        border=True,
    )


def localise_merchants(frame: pd.DataFrame, platform_names: dict[str, str] | None = None) -> pd.DataFrame:
    """A shop table ready to show: levels, categories, regions and harms in the current language."""
    shown = frame.copy()
    if "risk_level" in shown:
        shown["risk_level"] = shown["risk_level"].map(lambda v: i18n.label("risk_level", v))
    if "main_category" in shown:
        shown["main_category"] = shown["main_category"].map(lambda v: i18n.label("merchant_category", v))
    if "region" in shown:
        shown["region"] = shown["region"].map(lambda v: i18n.label("region", v))
    if "driver" in shown:
        shown["driver"] = shown["driver"].map(lambda v: i18n.label("harm", v) if v else "")
    if platform_names and "platform_id" in shown:
        shown.insert(
            shown.columns.get_loc("platform_id"), "platform_name", shown["platform_id"].map(platform_names)
        )
    return shown


def spike_alert_columns() -> dict:
    """Column settings for a table of spike alerts (out_spike_alerts rows)."""
    return {
        "week": st.column_config.DateColumn(t("col.week")),
        "platform_id": t("col.platform"),
        "category": t("col.complaint_category"),
        "complaint_count": st.column_config.NumberColumn(t("col.complaints"), format="%d"),
        "baseline_mean": st.column_config.NumberColumn(t("col.baseline_mean"), format="%.1f"),
        "spike_z": st.column_config.NumberColumn(t("col.spike_z"), format="%.1f"),
    }


def merchant_columns() -> dict:
    """Column labels and formats of shop tables; sub-scores as bars."""
    config = {
        "risk_rank": st.column_config.NumberColumn(
            t("col.risk_rank"), format="%d", width="small", pinned=True
        ),
        "shop_name": st.column_config.TextColumn(t("col.shop_name"), pinned=True),
        "platform_name": st.column_config.TextColumn(t("col.platform")),
        "platform_id": st.column_config.TextColumn(t("col.platform_id"), width="small"),
        "merchant_id": st.column_config.TextColumn(t("col.merchant_id")),
        "credit_code": st.column_config.TextColumn(t("col.credit_code")),
        "main_category": st.column_config.TextColumn(t("col.category"), width="small"),
        "region": st.column_config.TextColumn(t("col.region"), width="small"),
        "risk_level": st.column_config.TextColumn(t("col.risk_level"), width="small"),
        "driver": st.column_config.TextColumn(t("col.driver")),
        "complaint_count": st.column_config.NumberColumn(t("col.complaints"), format="localized"),
        "order_count": st.column_config.NumberColumn(t("col.orders"), format="localized"),
        "gmv_cny": st.column_config.NumberColumn(t("col.gmv_cny"), format="localized"),
        "reasons": st.column_config.TextColumn(t("col.reasons"), width="large"),
        "match_count": None,
    }
    for column in SCORE_COLUMNS:
        config[column] = st.column_config.ProgressColumn(
            t(f"col.{column}"), min_value=0, max_value=100, format="%.0f", width="small"
        )
    return config


def merchant_table(
    frame: pd.DataFrame,
    key: str,
    platform_names: dict[str, str] | None = None,
    height="auto",
    hidden: tuple[str, ...] = (),
) -> None:
    """Shops as a sortable table; selecting a row opens the shop (`hidden` columns stay off screen)."""
    shown = localise_merchants(frame, platform_names)
    event = st.dataframe(
        shown,
        key=key,
        hide_index=True,
        column_order=[c for c in shown.columns if c not in hidden and c != "match_count"],
        column_config=merchant_columns(),
        on_select="rerun",
        selection_mode="single-row",
        height=height,
    )
    rows = event.selection.rows if event is not None else []
    if rows:
        chosen = frame.iloc[rows[0]]
        open_merchant(str(chosen["platform_id"]), str(chosen["merchant_id"]))


def open_merchant(platform_id: str, merchant_id: str) -> None:
    """Go to the shop's page, its key in the URL so the link can be shared."""
    st.session_state["merchant_platform"] = platform_id
    st.session_state["merchant"] = merchant_id
    st.switch_page(navigation.MERCHANT_DETAIL, query_params=url_state.params_for("merchant"))


def window_caption(status: WarehouseStatus, window) -> str:
    """`2026-08-30 – 2026-09-28`, or the whole history."""
    if window.start is None:
        return t("common.whole_history", end=status.as_of)
    last_day = window.end - dt.timedelta(days=1) if window.end else None
    return t("common.window", start=window.start, end=last_day)
