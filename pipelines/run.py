"""One scoring run: complaint text, rings, features, scores and marts, recorded in score_runs."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import duckdb

from pipelines import marts
from pipelines.complaint_text import build_out_complaints
from pipelines.features import as_of_day, build_merchant_features
from pipelines.params import ScoringParams
from pipelines.rings import detect_rings
from pipelines.scoring import score_merchants
from warehouse.publish import open_for_write
from warehouse.schema import quote_identifier

Progress = Callable[[str], None]

SCORE_RUNS_DDL = """
create table if not exists score_runs (
    run_id varchar primary key,
    started_at timestamp not null,
    finished_at timestamp not null,
    as_of date not null,
    params_json varchar not null,
    timings_json varchar not null,
    metrics_json varchar not null
)
"""


def new_run_id(params: ScoringParams, now: dt.datetime) -> str:
    """`S` + UTC timestamp + the parameters' short hash, e.g. S20261128T101500Z-1a2b3c4d."""
    return f"S{now:%Y%m%dT%H%M%S}Z-{params.digest()}"


# Tables a run writes from Python frames: the only names write_frame accepts.
FRAME_TABLES = frozenset({"out_merchant_risk", "out_merchant_risk_history", "out_merchant_reasons"})


def write_frame(con: duckdb.DuckDBPyConnection, table: str, frame, history: str | None = None) -> None:
    """Replace `table` with the frame's rows; append them to `history` too when given."""
    for name in (table, history):
        if name is not None and name not in FRAME_TABLES:
            raise ValueError(f"not an output table: {name!r}")
    target = quote_identifier(table)
    con.register("_frame", frame)
    try:
        con.execute(f"create or replace table {target} as select * from _frame")  # noqa: S608 - whitelisted name
        if history:
            past = quote_identifier(history)
            con.execute(f"create table if not exists {past} as select * from _frame limit 0")  # noqa: S608
            con.execute(f"delete from {past} where run_id in (select distinct run_id from _frame)")  # noqa: S608
            con.execute(f"insert into {past} by name select * from _frame")  # noqa: S608
    finally:
        con.unregister("_frame")


def score_connection(
    con: duckdb.DuckDBPyConnection, params: ScoringParams, run_id: str, progress: Progress
) -> dict:
    """Run every stage on an open warehouse connection; returns timings and metrics."""
    as_of = as_of_day(con)
    timings: dict[str, float] = {}
    metrics: dict[str, object] = {"as_of": as_of.isoformat()}

    def stage(name: str, work: Callable[[], object]) -> object:
        began = time.perf_counter()
        result = work()
        timings[name] = round(time.perf_counter() - began, 2)
        progress(f"  {name}: {timings[name]:.1f} s")
        return result

    metrics["complaint_text"] = stage(
        "complaint_text", lambda: build_out_complaints(con, params.complaint_text, run_id)
    )
    metrics["rings"] = stage("rings", lambda: detect_rings(con, params.rings, run_id))
    metrics["merchants"] = stage(
        "features", lambda: build_merchant_features(con, params.features, run_id, as_of)
    )

    def scores() -> dict:
        features = con.execute("select * from out_merchant_features").df()
        risk, reasons = score_merchants(features, params.scores, run_id, params.signals)
        write_frame(con, "out_merchant_risk", risk, history="out_merchant_risk_history")
        write_frame(con, "out_merchant_reasons", reasons)
        return risk["risk_level"].value_counts().to_dict()

    metrics["risk_levels"] = stage("scores", scores)
    metrics["marts"] = stage("marts", lambda: marts.build_marts(con, params.marts, run_id, as_of))
    return {"as_of": as_of, "timings": timings, "metrics": metrics}


def recorded_params(params: ScoringParams, overrides: Sequence[Mapping] = ()) -> str:
    """The params_json a run records: every parameter and signal as used, plus the supervisors' overrides.

    `overrides` (pipelines/param_overrides.py `recorded`) name each changed parameter with its
    default, value, who changed it, when and why; the values themselves are already in the
    parameters. The run id's digest covers the values only, so the same values give the same digest.
    """
    values = json.loads(params.as_json())
    values["overrides"] = [dict(o) for o in overrides]
    return json.dumps(values, sort_keys=True, ensure_ascii=False)


def run_scoring(
    db_path: Path | str,
    params: ScoringParams | None = None,
    progress: Progress | None = None,
    overrides: Sequence[Mapping] = (),
) -> str:
    """Score the warehouse at db_path in one all-or-nothing run; returns the run id.

    `overrides` are the stored parameter overrides already applied to `params`, recorded with the run.
    """
    params = params or ScoringParams()
    progress = progress or (lambda _: None)
    started = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    run_id = new_run_id(params, started)
    progress(f"score: run {run_id} on {db_path}")
    began = time.perf_counter()
    with open_for_write(db_path) as con:
        # Bounded memory: DuckDB spills to disk rather than taking most of the machine.
        con.execute(f"set memory_limit = '{params.memory_limit_mb}MB'")
        con.execute("set enable_progress_bar = false")  # progress is ours to report, per stage
        missing = [
            t
            for t in ("stg_transactions", "stg_merchants", "stg_complaints", "stg_licenses")
            if not con.execute("select count(*) from duckdb_tables() where table_name = ?", [t]).fetchone()[0]
        ]
        if missing:
            raise ValueError(f"{db_path} has no {', '.join(missing)}: run `python -m pipelines ingest` first")
        result = score_connection(con, params, run_id, progress)
        result["timings"]["total"] = round(time.perf_counter() - began, 2)
        con.execute(SCORE_RUNS_DDL)
        con.execute(
            "insert into score_runs values (?, ?, ?, ?, ?, ?, ?)",
            [
                run_id,
                started,
                dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0),
                result["as_of"],
                recorded_params(params, overrides),
                json.dumps(result["timings"], sort_keys=True),
                json.dumps(result["metrics"], sort_keys=True, ensure_ascii=False, default=str),
            ],
        )
    progress(f"score: run {run_id} published in {time.perf_counter() - began:.1f} s")
    return run_id
