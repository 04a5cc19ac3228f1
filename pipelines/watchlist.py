"""The watchlist export: a scoring run's merchants, ranked, as CSV (UTF-8 with BOM) or XLSX for inspectors."""

from __future__ import annotations

import contextlib
import csv
import os
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
from openpyxl import Workbook
from openpyxl.styles import Font

from pipelines.export_safety import safe_text_cell

# The contract's export columns, in its order (shared DATA_CONTRACT.md, "Watchlist export").
WATCHLIST_COLUMNS = (
    "rank",
    "platform_id",
    "merchant_id",
    "shop_name",
    "credit_code",
    "risk_score",
    "fraud_score",
    "fake_trade_score",
    "after_sales_score",
    "license_score",
    "risk_level",
    "reasons",
    "score_run_id",
)
HARMS = ("fraud", "fake_trade", "after_sales", "license")
RISK_LEVELS = ("high", "medium", "low")
LANGUAGES = ("zh", "en")
EXPORT_FORMATS = (".csv", ".xlsx")
# Where a run's merchant scores live: the current run, and every run (written by pipelines/scoring.py).
RISK_TABLES = ("out_merchant_risk", "out_merchant_risk_history")
SCORE_DECIMALS = 2  # scores are 0-100 percentiles; more digits only clutter the sheet

# How many merchant rows a run has in a risk table; {table} only ever from RISK_TABLES.
RUN_ROWS_SQL = "select count(*) from {table} where run_id = $run_id"
# Only {table} is filled, from RISK_TABLES; every value is a bound $parameter. The harm and
# the language pick columns through CASE, so no identifier ever comes from the caller.
WATCHLIST_SQL = """
with
    filtered as (
        select
            platform_id,
            merchant_id,
            shop_name,
            credit_code,
            risk_score,
            fraud_score,
            fake_trade_score,
            after_sales_score,
            license_score,
            risk_level,
            risk_rank,
            case $lang when 'en' then reasons_en else reasons_zh end as reasons,
            run_id as score_run_id,
            case $harm
                when 'fraud' then fraud_score
                when 'fake_trade' then fake_trade_score
                when 'after_sales' then after_sales_score
                when 'license' then license_score
                else risk_score
            end as ranking_score
        from {table}
        where
            run_id = $run_id
            and ($platform_id is null or platform_id = $platform_id)
            and ($risk_level is null or risk_level = $risk_level)
    ),
    ranked as (
        select
            row_number() over (
                order by
                    ranking_score desc nulls last,
                    risk_score desc nulls last,
                    risk_rank asc nulls last,
                    platform_id,
                    merchant_id
            ) as rank,
            *
        from filtered
    )
select
    rank,
    platform_id,
    merchant_id,
    shop_name,
    credit_code,
    round(cast(risk_score as double), $decimals) as risk_score,
    round(cast(fraud_score as double), $decimals) as fraud_score,
    round(cast(fake_trade_score as double), $decimals) as fake_trade_score,
    round(cast(after_sales_score as double), $decimals) as after_sales_score,
    round(cast(license_score as double), $decimals) as license_score,
    risk_level,
    coalesce(reasons, '') as reasons,
    score_run_id
from ranked
where $top is null or rank <= $top
order by rank
"""


@dataclass(frozen=True)
class WatchlistQuery:
    """Which merchants a watchlist holds and in what order; None means no filter."""

    top: int | None = 100
    harm: str | None = None  # rank by this harm's score instead of the composite
    platform_id: str | None = None
    risk_level: str | None = None
    run_id: str | None = None  # None: the latest run in out_merchant_risk
    lang: str = "zh"

    def __post_init__(self) -> None:
        if self.harm is not None and self.harm not in HARMS:
            raise ValueError(f"harm must be one of {', '.join(HARMS)}, got {self.harm!r}")
        if self.risk_level is not None and self.risk_level not in RISK_LEVELS:
            raise ValueError(f"level must be one of {', '.join(RISK_LEVELS)}, got {self.risk_level!r}")
        if self.lang not in LANGUAGES:
            raise ValueError(f"lang must be one of {', '.join(LANGUAGES)}, got {self.lang!r}")
        if self.top is not None and self.top < 1:
            raise ValueError("top must be at least 1 (or None for every merchant)")


def table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """True if the warehouse has a table or view called `name` (in the default schema)."""
    row = con.execute(
        "select count(*) from information_schema.tables where table_name = $name and table_schema = 'main'",
        {"name": name},
    ).fetchone()
    return bool(row and row[0])


def resolve_run(con: duckdb.DuckDBPyConnection, run_id: str | None = None) -> tuple[str, str]:
    """(run id, table holding its merchant scores): the given run, or the latest in out_merchant_risk.

    "Latest" follows score_runs' finish time when that table exists; run ids start with a UTC
    timestamp, so the largest id is the fallback. LookupError when there is no such run.
    """
    current, history = RISK_TABLES
    if not table_exists(con, current):
        raise LookupError("the warehouse has no out_merchant_risk: run `python -m pipelines score` first")
    if run_id is None:
        row = None
        if table_exists(con, "score_runs"):
            row = con.execute(
                """
                select r.run_id
                from score_runs as r
                where r.run_id in (select m.run_id from out_merchant_risk as m)
                order by coalesce(r.finished_at, r.started_at) desc nulls last, r.run_id desc
                limit 1
                """
            ).fetchone()
        if row is None:
            row = con.execute("select max(m.run_id) from out_merchant_risk as m").fetchone()
        if row is None or row[0] is None:
            raise LookupError("out_merchant_risk is empty: run `python -m pipelines score` first")
        return str(row[0]), current
    for table in (current, history):
        if table_exists(con, table) and _run_in_table(con, table, run_id):
            return run_id, table
    raise LookupError(f"no scoring run {run_id!r} in {' or '.join(RISK_TABLES)}")


def _run_in_table(con: duckdb.DuckDBPyConnection, table: str, run_id: str) -> bool:
    if table not in RISK_TABLES:
        raise ValueError(f"not a merchant-risk table: {table!r}")
    return bool(con.execute(RUN_ROWS_SQL.format(table=table), {"run_id": run_id}).fetchone()[0])


def select_watchlist(con: duckdb.DuckDBPyConnection, query: WatchlistQuery) -> list[tuple]:
    """The watchlist's rows, one tuple per merchant in WATCHLIST_COLUMNS order, rank 1 first."""
    run_id, table = resolve_run(con, query.run_id)
    if table not in RISK_TABLES:
        raise ValueError(f"not a merchant-risk table: {table!r}")
    sql = WATCHLIST_SQL.format(table=table)
    params = {
        "run_id": run_id,
        "harm": query.harm,
        "platform_id": query.platform_id,
        "risk_level": query.risk_level,
        "lang": query.lang,
        "top": query.top,
        "decimals": SCORE_DECIMALS,
    }
    cursor = con.execute(sql, params)
    names = tuple(d[0] for d in cursor.description)
    if names != WATCHLIST_COLUMNS:  # guards the contract against an edit of WATCHLIST_SQL
        raise RuntimeError(f"watchlist query returned columns {names}, expected {WATCHLIST_COLUMNS}")
    return cursor.fetchall()


def safe_rows(rows: Sequence[Sequence[object]]) -> list[list[object]]:
    """Every text cell cleaned and neutralised (pipelines/export_safety.py), numbers as they are."""
    return [[safe_text_cell(value) for value in row] for row in rows]


def write_csv(rows: Sequence[Sequence[object]], path: Path) -> None:
    """Write the header and rows as CSV in UTF-8 with a BOM (so Excel reads Chinese), cells made safe."""
    with _replacing(path) as temp, temp.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(WATCHLIST_COLUMNS)
        writer.writerows(safe_rows(rows))


def write_xlsx(rows: Sequence[Sequence[object]], path: Path) -> None:
    """Write the header and rows as an XLSX sheet: frozen header, filter, column widths, text never a formula."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "watchlist"
    cleaned = safe_rows(rows)
    for column, name in enumerate(WATCHLIST_COLUMNS, start=1):
        cell = sheet.cell(row=1, column=column, value=name)
        cell.font = Font(bold=True)
    for row_number, row in enumerate(cleaned, start=2):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=row_number, column=column, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # openpyxl turns a str starting with "=" into a formula otherwise
            elif isinstance(value, float):
                cell.number_format = "0.00"
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    for column, name in enumerate(WATCHLIST_COLUMNS, start=1):
        widest = max([display_width(name), *(display_width(row[column - 1]) for row in cleaned)])
        letter = sheet.cell(row=1, column=column).column_letter
        sheet.column_dimensions[letter].width = min(max(widest + 2, 8), 80)
    with _replacing(path) as temp:
        workbook.save(temp)


def display_width(value: object) -> int:
    """How many columns `value` takes on screen: Chinese (wide) characters count twice."""
    if value is None:
        return 0
    text = value if isinstance(value, str) else str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def export_watchlist(con: duckdb.DuckDBPyConnection, query: WatchlistQuery, out: Path) -> int:
    """Write the watchlist to `out` (.csv or .xlsx, by its suffix); returns the number of merchants written."""
    suffix = out.suffix.lower()
    if suffix not in EXPORT_FORMATS:
        raise ValueError(f"--out must end in {' or '.join(EXPORT_FORMATS)}, got {out.name!r}")
    rows = select_watchlist(con, query)
    out.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        write_csv(rows, out)
    else:
        write_xlsx(rows, out)
    return len(rows)


@contextlib.contextmanager
def _replacing(path: Path) -> Iterator[Path]:
    """Yield `<path>.tmp` to write, then replace `path` with it: nobody sees a half-written export."""
    temp = path.with_name(path.name + ".tmp")
    try:
        yield temp
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    os.replace(temp, path)
