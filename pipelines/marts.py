"""Platform and trend marts the pages read: the 12315 scoreboard, daily series, spike alerts, shops' weeks."""

from __future__ import annotations

import dataclasses
import datetime as dt

import duckdb

from pipelines.params import MartParams
from pipelines.sqlfiles import run_sql
from warehouse.schema import quote_identifier

MART_TABLES = (
    "out_platform_scoreboard",
    "out_complaint_series",
    "out_order_series",
    "out_spike_alerts",
    "out_merchant_weekly",
)


def build_marts(
    con: duckdb.DuckDBPyConnection, params: MartParams, run_id: str, as_of: dt.date
) -> dict[str, int]:
    """Build every mart from out_complaints, out_merchant_risk and the staged tables; returns row counts."""
    values = {"run_id": run_id, "as_of": as_of, **dataclasses.asdict(params)}
    counts = {}
    for table in MART_TABLES:
        run_sql(con, table, values)
        counts[table] = con.execute(f"select count(*) from {quote_identifier(table)}").fetchone()[0]  # noqa: S608
    return counts
