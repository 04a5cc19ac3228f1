"""The child side of the benchmark: `python -m pipelines.bench.child TASK JSON_ARGS` runs one task.

Each task does its setup untimed, times only its work with `Clock.measure`, and the last line
printed is JSON: seconds, CPU seconds, rows and task-specific extras. The parent
(`pipelines.bench.measure`) reads the child's peak memory from the kernel.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from pipelines.bench.sizes import params_from_json

SCAN_FLOOR_SQL = Path(__file__).resolve().parent / "sql" / "scan_floor.sql"


class Clock:
    """Wall and CPU seconds (all threads) spent inside `measure()` blocks."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.cpu_seconds = 0.0

    @contextmanager
    def measure(self) -> Iterator[None]:
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.seconds += time.perf_counter() - wall
            self.cpu_seconds += time.process_time() - cpu


def order_count(con: duckdb.DuckDBPyConnection) -> int:
    """Orders in the warehouse: the rows every scoring stage reads."""
    return con.execute("select count(*) from stg_transactions").fetchone()[0]


def generate(args: dict, clock: Clock) -> dict:
    """The demo market generator, writing a feed and its truth."""
    from pipelines.demo_market.generate import generate_market

    params = params_from_json(args["params"])
    with clock.measure():
        summary = generate_market(params, Path(args["feed"]), Path(args["truth"]))
    return {"rows": summary.rows["transactions"]}


def bare_read(args: dict, clock: Clock) -> dict:
    """DuckDB's own `create table as select * from read_parquet/read_csv` of the transactions files."""
    from warehouse import bench

    with clock.measure():
        rows = bench.bare_read(Path(args["feed"]), Path(args["db"]), args["format"])
    return {"rows": rows}


def ingest_transactions(args: dict, clock: Clock) -> dict:
    """The full ingest of the same transactions files."""
    from warehouse import bench

    with clock.measure():
        rows = bench.ingest_transactions(Path(args["feed"]), Path(args["db"]), args["format"])
    return {"rows": rows}


def ingest_feed(args: dict, clock: Clock) -> dict:
    """The full ingest of the whole feed (the benchmark warehouse the later stages read)."""
    from warehouse.loader import ingest

    with clock.measure():
        report = ingest([Path(args["feed"])], Path(args["db"]))
    if report.rejected:
        raise RuntimeError(f"ingest rejected {[r.file_name for r in report.rejected]}")
    return {"rows": sum(r.rows_read for r in report.results if r.dataset == "transactions")}


def scan_floor(args: dict, clock: Clock) -> dict:
    """One bare scan-and-aggregate over the staged orders (pipelines/bench/sql/scan_floor.sql)."""
    sql = SCAN_FLOOR_SQL.read_text(encoding="utf-8")
    with duckdb.connect(args["db"], read_only=True) as con:
        con.execute("set enable_progress_bar = false")
        rows = order_count(con)
        with clock.measure():
            con.execute(sql).fetchall()
    return {"rows": rows}


def _scoring_stages() -> dict[str, Callable]:
    """The stages of pipelines.run.score_connection, by the names score_runs records their timings under.

    Plus `order_features`: the part of the feature build in the pandas peer's scope, run
    with the values build_merchant_features binds.
    """
    from pipelines import marts
    from pipelines.complaint_text import build_out_complaints
    from pipelines.features import ORDER_FEATURE_TABLES, build_merchant_features
    from pipelines.rings import detect_rings
    from pipelines.run import write_frame
    from pipelines.scoring import score_merchants
    from pipelines.sqlfiles import run_sql

    def order_features(con, params, run_id, as_of):
        values = {
            k: v
            for k, v in dataclasses.asdict(params.features).items()
            if isinstance(v, int | float) and not isinstance(v, bool)
        }
        values.update(as_of=as_of, run_id=run_id)
        for table in ORDER_FEATURE_TABLES:
            run_sql(con, table, values)

    def scores(con, params, run_id, as_of):
        features = con.execute("select * from out_merchant_features").df()
        risk, reasons = score_merchants(features, params.scores, run_id)
        write_frame(con, "out_merchant_risk", risk, history="out_merchant_risk_history")
        write_frame(con, "out_merchant_reasons", reasons)

    return {
        "complaint_text": lambda con, p, run_id, as_of: build_out_complaints(con, p.complaint_text, run_id),
        "rings": lambda con, p, run_id, as_of: detect_rings(con, p.rings, run_id),
        "features": lambda con, p, run_id, as_of: build_merchant_features(con, p.features, run_id, as_of),
        "order_features": order_features,
        "scores": scores,
        "marts": lambda con, p, run_id, as_of: marts.build_marts(con, p.marts, run_id, as_of),
    }


def scoring_stage(args: dict, clock: Clock) -> dict:
    """One stage of a scoring run, alone, on a copy of a scored warehouse (its inputs from the earlier stages)."""
    from pipelines.features import as_of_day
    from pipelines.params import ScoringParams

    params = ScoringParams()
    work = _scoring_stages()[args["stage"]]
    # As run_scoring and open_for_write set up the writer's connection.
    with duckdb.connect(args["db"], config={"preserve_insertion_order": False}) as con:
        con.execute(f"set memory_limit = '{int(params.memory_limit_mb)}MB'")
        con.execute("set enable_progress_bar = false")
        rows = order_count(con)
        as_of = as_of_day(con)
        with clock.measure():
            work(con, params, "Sbench", as_of)
    return {"rows": rows}


def score(args: dict, clock: Clock) -> dict:
    """The whole `python -m pipelines score` run, copying and publishing included."""
    from pipelines.run import run_scoring

    with clock.measure():
        run_id = run_scoring(args["db"])
    with duckdb.connect(args["db"], read_only=True) as con:
        rows = order_count(con)
        timings = con.execute("select timings_json from score_runs where run_id = ?", [run_id]).fetchone()[0]
    return {"rows": rows, "extra": {"run_id": run_id, "timings": json.loads(timings)}}


def pandas_peer(args: dict, clock: Clock) -> dict:
    """The pandas peer: load the staged orders (timed apart), then compute the merchant features."""
    from pipelines.bench.pandas_peer import compute_features, load_orders
    from pipelines.features import as_of_day

    began, cpu = time.perf_counter(), time.process_time()
    with duckdb.connect(args["db"], read_only=True) as con:
        con.execute("set enable_progress_bar = false")
        orders = load_orders(con)
        as_of = as_of_day(con)
    load = {"seconds": time.perf_counter() - began, "cpu_seconds": time.process_time() - cpu}
    with clock.measure():
        features = compute_features(orders, as_of)
    return {"rows": len(orders), "extra": {"load": load, "shops": len(features)}}


def pages(args: dict, clock: Clock) -> dict:
    """Every dashboard page: first render and a filter change (see pipelines.bench.pages)."""
    from pipelines.bench.pages import time_pages

    with clock.measure():
        results = time_pages(args["db"])
    return {"rows": 0, "extra": {"pages": results}}


TASKS: dict[str, Callable[[dict, Clock], dict]] = {
    "generate": generate,
    "bare_read": bare_read,
    "ingest_transactions": ingest_transactions,
    "ingest_feed": ingest_feed,
    "scan_floor": scan_floor,
    "scoring_stage": scoring_stage,
    "score": score,
    "pandas_peer": pandas_peer,
    "pages": pages,
}


def main(argv: list[str]) -> int:
    """Run TASKS[argv[0]] with the JSON arguments argv[1]; print its measurement as the last line."""
    task, args = argv[0], json.loads(argv[1])
    clock = Clock()
    result = TASKS[task](args, clock)
    result.update(seconds=clock.seconds, cpu_seconds=clock.cpu_seconds)
    sys.stdout.flush()
    print(json.dumps(result, default=str), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
