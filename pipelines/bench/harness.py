"""The whole benchmark on one market: generate or reuse it, then measure every stage, each in fresh processes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import shutil
import statistics
from collections.abc import Callable
from pathlib import Path

import duckdb

from pipelines.bench.measure import BenchError, Sample, Stat, repeat, run_child
from pipelines.bench.report import (
    BenchResult,
    Row,
    at_most_floor,
    describe_market,
    faster_than_pandas,
    in_run_line,
    missed_text,
    now,
    render_markdown,
    text_table,
    within,
)
from pipelines.bench.sizes import BenchMarket, params_to_json
from warehouse.publish import next_path, wal_path, work_dir

Progress = Callable[[str], None]
GROUPS = ("generation", "ingest", "scoring", "pandas", "pages")
SCORING_STAGES = {  # pipelines.run's stage names → the table's words
    "complaint_text": "text classification + shop matching",
    "rings": "ring detection",
    "features": "feature building (SQL)",
    "scores": "scoring + reasons",
    "marts": "marts",
}
# Not a stage of the run: the feature build's SQL for just the features the pandas peer computes.
ORDER_FEATURES = "order_features"
ORDER_FEATURES_STAGE = "feature building, the pandas peer's features only (SQL)"
STAGE_WORDS = {**SCORING_STAGES, ORDER_FEATURES: ORDER_FEATURES_STAGE}
STAGE_ORDER = ("complaint_text", "rings", "features", ORDER_FEATURES, "scores", "marts")  # the table's order
FORMATS = {"parquet": "Parquet", "csv": "CSV"}
SCORE_STAGE = "whole score run (copy + publish included)"
SCAN_FLOOR_STAGE = "floor: one scan-and-aggregate of the orders"
PANDAS_STAGE = "pandas peer: merchant features (compute)"
PANDAS_LOAD_STAGE = "pandas peer: load stg_transactions into pandas"
PANDAS_MEMORY_SHARE = 0.8  # the pandas peer runs only if its expected peak fits in this share of free memory
SCORE_LIMIT_SECONDS, SCORE_LIMIT_MIB = 180.0, 4e9 / 2**20  # issue 4: 3 minutes, under 4 GB (3,815 MiB)


class Workspace:
    """Where one market's files go under the work directory.

    markets/<key>/<format>/{feed,truth}: the cached generated market (kept between runs);
    runs/<key>/: the benchmark warehouses (`market.duckdb` ingested, `scored.duckdb` scored,
    both kept so the dashboard can be opened on them) and scratch files (removed).
    """

    def __init__(self, work: Path, market: BenchMarket) -> None:
        self.market_root = work / "markets" / market.key
        self.runs = work / "runs" / market.key
        self.runs.mkdir(parents=True, exist_ok=True)

    def market(self, fmt: str) -> Path:
        return self.market_root / fmt

    def feed(self, fmt: str) -> Path:
        return self.market(fmt) / "feed"

    @property
    def warehouse(self) -> Path:
        return self.runs / "market.duckdb"

    @property
    def scored(self) -> Path:
        return self.runs / "scored.duckdb"

    def scratch(self, name: str) -> Path:
        return self.runs / name


def remove(path: Path) -> None:
    """Delete a file or folder, and a DuckDB file's companions (WAL, a writer's `.next` copy and work folder)."""
    companions = (wal_path(path), next_path(path), wal_path(next_path(path)), work_dir(path))
    for candidate in (path, *companions):
        if candidate.is_dir():
            shutil.rmtree(candidate, ignore_errors=True)
        elif candidate.exists():
            candidate.unlink()


def copy_warehouse(source: Path, target: Path) -> None:
    """A fresh copy of a warehouse file (untimed setup of a run)."""
    remove(target)
    shutil.copyfile(source, target)


def generate_into(market: BenchMarket, root: Path, fmt: str) -> Sample:
    """Generate the market with `fmt` transactions into root/{feed,truth}, atomically (a partial run leaves nothing)."""
    partial = root.with_name(root.name + ".partial")
    remove(partial)
    params = params_to_json(market.params) | {"transactions_format": fmt}
    sample = run_child("generate", {"params": params, "feed": partial / "feed", "truth": partial / "truth"})
    remove(root)
    partial.rename(root)
    return sample


def measure_generation(market: BenchMarket, ws: Workspace, repeats: int, progress: Progress) -> list[Sample]:
    """`repeats` generations; the first one fills the cache when the market is not cached yet."""
    samples = []
    if not ws.market("parquet").exists():
        samples.append(generate_into(market, ws.market("parquet"), "parquet"))
        progress(f"  generation 1/{repeats}: {samples[-1].seconds:.1f} s (cached as {ws.market('parquet')})")
    while len(samples) < repeats:
        scratch = ws.scratch("generation")
        samples.append(generate_into(market, scratch, "parquet"))
        remove(scratch)
        progress(f"  generation {len(samples)}/{repeats}: {samples[-1].seconds:.1f} s")
    return samples


def ensure_market(market: BenchMarket, ws: Workspace, fmt: str, progress: Progress) -> None:
    """Generate (untimed) a form of the market that is not cached yet."""
    if not ws.market(fmt).exists():
        progress(f"  generating the {FORMATS[fmt]} form of the market into {ws.market(fmt)}")
        generate_into(market, ws.market(fmt), fmt)


def measure_ingest(ws: Workspace, fmt: str, repeats: int, progress: Progress) -> tuple[Row, Row]:
    """The bare read and the ingest of the transactions files, alternating run by run (same machine load)."""
    bare_db, ingest_db = ws.scratch("bare.duckdb"), ws.scratch("ingest.duckdb")
    bare, full = [], []
    for index in range(repeats):
        for db, kind, samples in ((bare_db, "bare_read", bare), (ingest_db, "ingest_transactions", full)):
            remove(db)
            samples.append(run_child(kind, {"feed": ws.feed(fmt), "db": db, "format": fmt}))
            remove(db)
        progress(
            f"  {FORMATS[fmt]} {index + 1}/{repeats}: bare read {bare[-1].seconds:.1f} s, "
            f"ingest {full[-1].seconds:.1f} s"
        )
    name = FORMATS[fmt]
    floor_key = f"bare_{fmt}"
    return (
        Row(floor_key, f"floor: DuckDB bare read, {name} transactions", Stat.of(bare), target="floor"),
        Row(
            f"ingest_{fmt}",
            f"ingest, {name} transactions",
            Stat.of(full),
            floor=floor_key,
            target="≤ 2× floor",
            judge=at_most_floor(2.0),
        ),
    )


def build_warehouse(ws: Workspace, progress: Progress) -> Row:
    """Ingest the whole Parquet feed once: the warehouse every later stage reads."""
    remove(ws.warehouse)
    sample = run_child("ingest_feed", {"feed": ws.feed("parquet"), "db": ws.warehouse})
    progress(f"  whole feed ingested in {sample.seconds:.1f} s into {ws.warehouse}")
    return Row("ingest_feed", "ingest, whole feed (Parquet), builds the warehouse", Stat.of([sample]))


def failed_row(key: str, stage: str, error: BenchError, progress: Progress) -> Row:
    """A row for a stage that failed: the table says FAILED and the docs keep the error."""
    progress(f"  FAILED: {stage}: {str(error).splitlines()[-1]}")
    return Row(key, stage, Stat.of_times([], [], 0, None), failed=str(error))


def measure_whole_score(ws: Workspace, runs: int, progress: Progress) -> tuple[Row, dict[str, Stat]]:
    """The whole score run, each on a fresh copy of the ingested warehouse; the first one is kept as ws.scored."""
    whole: list[Sample] = []
    for index in range(runs):
        target = ws.scored if index == 0 else ws.scratch("score.duckdb")
        copy_warehouse(ws.warehouse, target)
        try:
            whole.append(run_child("score", {"db": target}))
        except BenchError:
            remove(target)  # an unscored copy must not pass for the scored warehouse
            raise
        if index:
            remove(target)
        progress(f"  whole score run {index + 1}/{runs}: {whole[-1].seconds:.1f} s")
    row = Row(
        "score",
        SCORE_STAGE,
        Stat.of(whole),
        floor="scan_floor",
        target="≤ 180 s, < 4 GB at 10M",
        judge=within(SCORE_LIMIT_SECONDS, SCORE_LIMIT_MIB),
        absolute=True,
    )
    in_run = {}
    for stage in (*SCORING_STAGES, "total"):
        times = [s.extra["timings"][stage] for s in whole if stage in s.extra.get("timings", {})]
        if times:
            in_run[stage] = Stat.of_times(times, [], whole[0].rows, None)
    return row, in_run


def measure_scan_floor(ws: Workspace, repeats: int, progress: Progress) -> Row:
    """One bare scan-and-aggregate of the staged orders: the floor of the scoring stages."""
    scan = repeat("scan_floor", {"db": ws.warehouse}, repeats)
    progress(f"  scan-and-aggregate floor: {statistics.median(s.seconds for s in scan):.2f} s")
    return Row("scan_floor", SCAN_FLOOR_STAGE, Stat.of(scan), target="floor")


def measure_stage(ws: Workspace, stage: str, repeats: int, progress: Progress) -> Row:
    """One stage of the scoring run alone, on a fresh copy of the scored warehouse each run."""
    stage_db = ws.scratch("stage.duckdb")
    try:
        samples = repeat(
            "scoring_stage",
            {"db": stage_db, "stage": stage},
            repeats,
            before=lambda _: copy_warehouse(ws.scored, stage_db),
        )
    finally:
        remove(stage_db)
    progress(f"  {stage}: {statistics.median(s.seconds for s in samples):.2f} s")
    row = Row(f"stage:{stage}", STAGE_WORDS[stage], Stat.of(samples), floor="scan_floor")
    if stage == "features":
        row.pandas = True  # shown, not judged: the build computes far more features than the peer
    if stage == ORDER_FEATURES:  # the same features on both sides: the comparison issue 7 asks for
        row.pandas = True
        row.target = "≥ 3× faster than pandas"
        row.judge = faster_than_pandas(3.0)
    return row


def measure_scoring(ws: Workspace, repeats: int, progress: Progress, timed: bool) -> tuple[list[Row], dict]:
    """The scan floor, each scoring stage alone, and the whole score run; leaves ws.scored scored if it can.

    Untimed (only the pages need a scored warehouse), one score run and no rows. A stage that
    fails gets a FAILED row and the others go on; without a scored warehouse no stage can run.
    """
    rows: list[Row] = []
    try:
        whole, in_run = measure_whole_score(ws, repeats if timed else 1, progress)
    except BenchError as exc:
        whole, in_run = failed_row("score", SCORE_STAGE, exc, progress), {}
    if not timed:
        return rows, in_run
    try:
        rows.append(measure_scan_floor(ws, repeats, progress))
    except BenchError as exc:
        rows.append(failed_row("scan_floor", SCAN_FLOOR_STAGE, exc, progress))
    for stage in STAGE_ORDER:
        words = STAGE_WORDS[stage]
        if whole.failed:
            rows.append(
                Row(f"stage:{stage}", words, whole.stat, failed="not run: the whole score run failed")
            )
            continue
        try:
            rows.append(measure_stage(ws, stage, repeats, progress))
        except BenchError as exc:
            rows.append(failed_row(f"stage:{stage}", words, exc, progress))
    rows.append(whole)
    return rows, in_run


def available_mib() -> float | None:
    """Memory the kernel says new work can have (MemAvailable), None when it cannot be read."""
    try:
        with open("/proc/meminfo", encoding="utf-8") as f:
            return next(int(ln.split()[1]) for ln in f if ln.startswith("MemAvailable")) / 1024
    except (OSError, StopIteration, ValueError):
        return None


def pandas_needs_mib(work: Path, orders: int) -> tuple[float, str] | None:
    """The pandas peer's likely peak on `orders` orders, from the most memory per order it measured before.

    pandas holds every order in memory (several copies during the group-bys), so its peak
    grows with the orders; the saved results of smaller markets (work/results) give the
    MiB per order. None when no market has a measured peak yet.
    """
    measured = []
    for saved in sorted((work / "results").glob("*.json")):
        data = json.loads(saved.read_text(encoding="utf-8"))
        row = next((r for r in data["rows"] if r["key"] == "pandas_peer" and r.get("peak_mib")), None)
        if row and data.get("orders"):
            measured.append((row["peak_mib"] / data["orders"], row["peak_mib"], data["orders"]))
    if not measured:
        return None
    per_order, peak, at = max(measured)
    return per_order * orders, f"{peak:,.0f} MiB at {at:,} orders"


def pandas_skip_reason(work: Path, orders: int, available: float | None) -> str:
    """Why the pandas peer must not run on `orders` orders with `available` MiB free (memory), or empty."""
    needs = pandas_needs_mib(work, orders)
    if needs is None or available is None or needs[0] < PANDAS_MEMORY_SHARE * available:
        return ""
    return (
        f"not run: it would need about {needs[0] / 1024:,.0f} GiB (measured {needs[1]}, scaled by orders), "
        f"more than {PANDAS_MEMORY_SHARE:.0%} of the {available / 1024:,.1f} GiB available"
    )


def measure_pandas(ws: Workspace, repeats: int, progress: Progress) -> list[Row]:
    """The pandas peer: loading the staged orders, and computing the features."""
    samples = repeat("pandas_peer", {"db": ws.warehouse}, repeats)
    loads = [s.extra["load"] for s in samples]
    progress(f"  pandas peer: compute {statistics.median(s.seconds for s in samples):.2f} s")
    peak = max(s.peak_mib for s in samples)
    load = Stat.of_times(
        [x["seconds"] for x in loads], [x["cpu_seconds"] for x in loads], samples[0].rows, peak
    )
    return [
        Row("pandas_load", PANDAS_LOAD_STAGE, load),
        Row(
            "pandas_peer",
            PANDAS_STAGE,
            Stat.of(samples),
            floor="scan_floor",
            pandas=True,
        ),
    ]


def measure_pages(ws: Workspace, repeats: int, progress: Progress) -> tuple[list[Row], dict[str, list[str]]]:
    """First render and filter change of every page; one dashboard process per run."""
    samples = repeat("pages", {"db": ws.scored}, repeats)
    peak = max(s.peak_mib for s in samples)
    rows, errors = [], {}
    for page in samples[0].extra["pages"]:
        runs = [s.extra["pages"][page] for s in samples]
        errors[page] = sorted({e for r in runs for e in r["errors"]})
        for kind, words, limit in (
            ("first_render", "first render", 1.0),
            ("filter_change", "filter change", 0.3),
        ):
            stat = Stat.of_times([r[kind] for r in runs if r[kind] is not None], [], 0, peak)
            suffix = "first" if kind == "first_render" else "filter"
            rows.append(
                Row(
                    f"page:{page}:{suffix}",
                    f"page {page}: {words}" + (" (ERROR shown)" if errors[page] else ""),
                    stat,
                    target=f"≤ {limit:g} s at 10M",
                    judge=lambda row, _, limit=limit, page=page: (
                        not errors[page] and row.stat.seconds <= limit
                    ),
                    absolute=True,
                )
            )
        progress(f"  page {page}: first {rows[-2].stat.seconds:.2f} s, filter {rows[-1].stat.seconds:.2f} s")
    return rows, errors


def bench_market(
    market: BenchMarket,
    repeats: int,
    work: Path,
    groups: tuple[str, ...] = GROUPS,
    progress: Progress | None = None,
) -> BenchResult:
    """Measure every stage in `groups` on `market`, `repeats` runs each."""
    progress = progress or (lambda _: None)
    ws = Workspace(Path(work), market)
    result = BenchResult(market, orders=0, shops=0, repeats=repeats)
    result.started_at, result.load_before = now(), os.getloadavg()
    began = dt.datetime.now()
    progress(f"bench {market.label} ({market.key}), {repeats} run(s) per stage, work in {ws.runs}")
    if "generation" in groups:
        samples = measure_generation(market, ws, repeats, progress)
        result.rows.append(Row("generate", "generation (Parquet transactions)", Stat.of(samples)))
    else:
        ensure_market(market, ws, "parquet", progress)
    if "ingest" in groups:
        for fmt in FORMATS:
            try:
                ensure_market(market, ws, fmt, progress)
                result.rows.extend(measure_ingest(ws, fmt, repeats, progress))
            except BenchError as exc:
                result.rows.append(
                    failed_row(f"ingest_{fmt}", f"ingest, {FORMATS[fmt]} transactions", exc, progress)
                )
    if {"scoring", "pandas", "pages"} & set(groups):
        result.rows.append(build_warehouse(ws, progress))  # everything after reads it: a failure ends the run
        with duckdb.connect(str(ws.warehouse), read_only=True) as con:
            result.orders = con.execute("select count(*) from stg_transactions").fetchone()[0]
            result.shops = con.execute("select count(*) from stg_merchants").fetchone()[0]
    if "scoring" in groups or "pages" in groups:
        remove(ws.scored)
        rows, result.in_run = measure_scoring(ws, repeats, progress, timed="scoring" in groups)
        result.rows.extend(rows)
    skip_pandas = pandas_skip_reason(Path(work), result.orders, available_mib()) if "pandas" in groups else ""
    if skip_pandas:
        progress(f"  pandas peer {skip_pandas}")
        for key, stage in (("pandas_load", PANDAS_LOAD_STAGE), ("pandas_peer", PANDAS_STAGE)):
            result.rows.append(Row(key, stage, Stat.of_times([], [], 0, None), skipped=skip_pandas))
    elif "pandas" in groups:
        try:
            result.rows.extend(measure_pandas(ws, repeats, progress))
        except BenchError as exc:
            result.rows.append(failed_row("pandas_peer", PANDAS_STAGE, exc, progress))
    if "pages" in groups:
        if not ws.scored.exists():
            result.rows.append(
                Row("pages", "pages", Stat.of_times([], [], 0, None), failed="not run: no scored warehouse")
            )
        else:
            try:
                rows, result.page_errors = measure_pages(ws, repeats, progress)
                result.rows.extend(rows)
            except BenchError as exc:
                result.rows.append(failed_row("pages", "pages", exc, progress))
    if not result.orders:
        result.orders = next((r.stat.rows for r in result.rows if r.key == "generate"), 0)
    result.finished_at, result.load_after = now(), os.getloadavg()
    for name in ("bare.duckdb", "ingest.duckdb", "score.duckdb", "stage.duckdb", "generation"):
        remove(ws.scratch(name))
    progress(f"bench {market.label} done in {(dt.datetime.now() - began).total_seconds():.0f} s")
    return result


def result_json(result: BenchResult) -> dict:
    """A result as plain JSON values (kept beside the markets, for comparing runs later)."""
    return {
        "market": result.market.key,
        "params": params_to_json(result.market.params),
        "orders": result.orders,
        "shops": result.shops,
        "repeats": result.repeats,
        "started_at": result.started_at,
        "finished_at": result.finished_at,
        "load_before": result.load_before,
        "load_after": result.load_after,
        "rows": [
            {
                "key": r.key,
                "stage": r.stage,
                **dataclasses.asdict(r.stat),
                "ratio_to_floor": result.ratio(r, r.floor),
                "ratio_to_pandas": result.ratio(r, "pandas_peer") if r.pandas else None,
                "target": r.target,
                "verdict": result.verdict(r),
                "failed": r.failed,
                "skipped": r.skipped,
            }
            for r in result.rows
        ],
        "in_run": {k: dataclasses.asdict(v) for k, v in result.in_run.items()},
        "page_errors": result.page_errors,
    }


def run_bench(
    markets: list[BenchMarket],
    repeats: int,
    work: Path,
    out: Path | None,
    command: str,
    quick: bool = False,
    groups: tuple[str, ...] = GROUPS,
    progress: Progress | None = None,
    show: Callable[[str], None] = print,
    runs: dict[str, int] | None = None,
) -> list[BenchResult]:
    """Benchmark each market in turn; show each table, keep the raw results, write the docs page.

    `runs` gives some markets (by key) their own runs per stage instead of `repeats`.
    """
    work = Path(work).resolve()  # the children run in the project folder
    results = []
    for market in markets:
        result = bench_market(market, (runs or {}).get(market.key, repeats), work, groups, progress)
        results.append(result)
        show(f"\n{describe_market(result)} ({result.repeats} run(s) per stage)\n")
        show(text_table(result))
        if result.in_run:
            show("\n" + in_run_line(result))
        saved = Path(work) / "results" / f"{market.key}.json"
        saved.parent.mkdir(parents=True, exist_ok=True)
        saved.write_text(json.dumps(result_json(result), indent=2, ensure_ascii=False), encoding="utf-8")
    for result in results:
        for row in result.failed():
            show(f"FAILED at {result.market.label}: {row.stage}: {row.failed.strip().splitlines()[-1]}")
        for row in result.skipped():
            show(f"NOT RUN at {result.market.label}: {row.stage}: {row.skipped}")
        for row in result.missed():
            show(f"MISSED at {result.market.label}: {missed_text(row, result)}")
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(render_markdown(results, command, quick), encoding="utf-8")
        show(f"\nwritten to {out}")
    return results
