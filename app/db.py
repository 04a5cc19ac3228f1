"""The app's one read-only connection to the warehouse, and the cache settings every query uses.

Pages never see a connection: they call named functions of app.market_data,
app.merchant_data and app.ops_data, which run their SQL through `query` below.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from warehouse.publish import ReadonlyWarehouse, published_version
from warehouse.settings import get_settings

# Query results are small aggregates; ten minutes keeps clicks instant and lets a new
# scoring run show up soon even if the version check below were to miss it.
CACHE_TTL_SECONDS = 600
# Tables every scored warehouse has; without them pages show guidance instead of charts.
SCORED_TABLES = ("out_merchant_risk", "score_runs")
STAGED_TABLES = ("stg_merchants", "stg_transactions", "stg_complaints", "stg_licenses")


def cached(max_entries: int = 64):
    """st.cache_data with the app's ttl and a bound on entries (functions take plain values only)."""
    return st.cache_data(ttl=CACHE_TTL_SECONDS, max_entries=max_entries, show_spinner=False)


@dataclass(frozen=True)
class Source:
    """Which warehouse file, and which published version of it, a cached result belongs to."""

    path: str
    version: tuple[int, int, int] | None


def current_source() -> Source:
    """The warehouse the settings point at now, with its published version (None if absent)."""
    path = get_settings().db_path
    return Source(str(path), published_version(path))


class _SharedWarehouse:
    """One ReadonlyWarehouse per file for the whole server; a lock because sessions run in threads."""

    def __init__(self, path: str) -> None:
        self._warehouse = ReadonlyWarehouse(Path(path))
        self._lock = threading.Lock()

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A cursor of its own for the calling thread (DuckDB connections are not shared across threads)."""
        with self._lock:
            return self._warehouse.connection().cursor()


@st.cache_resource(max_entries=4, show_spinner=False)
def _shared_warehouse(path: str) -> _SharedWarehouse:
    return _SharedWarehouse(path)


def query(path: str, sql: str, params: dict | None = None) -> pd.DataFrame:
    """Run one read-only statement with bound parameters and return the rows as a DataFrame."""
    cursor = _shared_warehouse(path).cursor()
    try:
        return cursor.execute(sql, params or {}).df()
    finally:
        cursor.close()


def scalar(path: str, sql: str, params: dict | None = None) -> object:
    """The first column of the first row of a query, or None when it returns no rows."""
    cursor = _shared_warehouse(path).cursor()
    try:
        row = cursor.execute(sql, params or {}).fetchone()
    finally:
        cursor.close()
    return None if row is None else row[0]


def existing_tables(path: str) -> frozenset[str]:
    """Names of the tables in the warehouse's main schema."""
    frame = query(path, "select table_name from information_schema.tables where table_schema = 'main'")
    return frozenset(frame["table_name"])


def table_columns(path: str, table: str) -> frozenset[str]:
    """Column names of one table (empty when it does not exist)."""
    frame = query(
        path,
        "select column_name from information_schema.columns where table_schema = 'main' and table_name = $t",
        {"t": table},
    )
    return frozenset(frame["column_name"])
