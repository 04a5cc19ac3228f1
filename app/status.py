"""What the warehouse holds right now: present or not, loaded, scored, and which run the pages show."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from app import db

SCORE_RUN_SQL = """
select r.run_id, r.as_of, r.finished_at
from score_runs as r
where r.run_id in (select m.run_id from out_merchant_risk as m)
order by r.finished_at desc nulls last, r.run_id desc
limit 1
"""
# The run before the current one, for "change since the previous run" on the overview.
PREVIOUS_RUN_SQL = """
select r.run_id
from score_runs as r
where r.run_id <> $run_id
  and r.finished_at <= $finished_at
  and r.run_id in (select h.run_id from out_merchant_risk_history as h)
order by r.finished_at desc, r.run_id desc
limit 1
"""


@dataclass(frozen=True)
class WarehouseStatus:
    """The state of the warehouse file the app reads, as of one published version."""

    path: str
    exists: bool
    tables: frozenset[str] = field(default_factory=frozenset)
    run_id: str | None = None
    as_of: dt.date | None = None
    previous_run_id: str | None = None
    first_day: dt.date | None = None
    error: str | None = None

    @property
    def has_staged(self) -> bool:
        """True once feeds were loaded (the staged merchants table exists)."""
        return "stg_merchants" in self.tables

    @property
    def has_scores(self) -> bool:
        """True once a scoring run published its marts."""
        return self.run_id is not None and all(t in self.tables for t in db.SCORED_TABLES)

    def has(self, table: str) -> bool:
        """True if the warehouse has this table."""
        return table in self.tables


def warehouse_status() -> WarehouseStatus:
    """The status of the warehouse the settings point at (cached per published version)."""
    source = db.current_source()
    if source.version is None:
        return WarehouseStatus(source.path, exists=False)
    return _status(source.path, source.version)


@db.cached(max_entries=8)
def _status(path: str, version: tuple) -> WarehouseStatus:
    try:
        tables = db.existing_tables(path)
    except duckdb.Error as exc:
        # A file that is not a DuckDB database, or one being replaced right now.
        return WarehouseStatus(path, exists=True, error=str(exc).splitlines()[0])
    run_id = as_of = previous = first_day = None
    if all(t in tables for t in db.SCORED_TABLES):
        run = db.query(path, SCORE_RUN_SQL)
        if len(run):
            run_id, as_of, finished_at = (
                run.iloc[0]["run_id"],
                run.iloc[0]["as_of"],
                run.iloc[0]["finished_at"],
            )
            as_of = _as_date(as_of)
            if "out_merchant_risk_history" in tables:
                previous = db.scalar(path, PREVIOUS_RUN_SQL, {"run_id": run_id, "finished_at": finished_at})
    if "out_order_series" in tables:
        first_day = _as_date(db.scalar(path, "select min(s.day) from out_order_series as s"))
    return WarehouseStatus(path, True, tables, run_id, as_of, previous, first_day)


def _as_date(value: object) -> dt.date | None:
    if value is None or pd.isna(value):
        return None
    if hasattr(value, "date") and callable(value.date):
        return value.date()
    return value  # already a date
