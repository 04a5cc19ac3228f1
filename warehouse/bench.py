"""Benchmark ingest against DuckDB's bare read of the same files: `python -m warehouse.bench FEED_DIR`.

Each measurement runs in a fresh child process (so peak RSS belongs to that run alone)
on a fresh database file, three times; the median is reported.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from warehouse.loader import ingest


def bare_read(feed_dir: Path, db_path: Path, fmt: str) -> int:
    """DuckDB's own `create table as select * from read_parquet/read_csv(...)` of every transactions file."""
    pattern = str(feed_dir / ("transactions*.parquet" if fmt == "parquet" else "transactions*.csv"))
    reader = "read_parquet($files)" if fmt == "parquet" else "read_csv($files)"
    con = duckdb.connect(str(db_path))
    try:
        con.execute("set enable_progress_bar = false")
        con.execute(f"create table transactions as select * from {reader}", {"files": pattern})  # noqa: S608
        con.execute("checkpoint")
        return con.execute("select count(*) from transactions").fetchone()[0]
    finally:
        con.close()


def ingest_transactions(feed_dir: Path, db_path: Path, fmt: str) -> int:
    """The full ingest (raw, checks, staging, quarantine, publish) of the same transactions files."""
    files = sorted(feed_dir.glob("transactions*.parquet" if fmt == "parquet" else "transactions*.csv"))
    report = ingest(files, db_path)
    return sum(r.rows_read for r in report.results)


def measure_once(kind: str, feed_dir: Path, fmt: str) -> dict[str, float]:
    """Run one measurement in this process: seconds, rows and peak RSS in MiB."""
    with tempfile.TemporaryDirectory(prefix="bench-", dir=feed_dir.parent) as temp:
        db_path = Path(temp) / "bench.duckdb"
        start = time.perf_counter()
        rows = (bare_read if kind == "bare" else ingest_transactions)(feed_dir, db_path, fmt)
        seconds = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak_mib = usage.ru_maxrss / 1024  # Linux reports KiB
    # CPU seconds (all threads) as well as wall time: on a shared machine the wall
    # time moves with the neighbours' load, the work done much less.
    cpu = usage.ru_utime + usage.ru_stime
    return {"seconds": seconds, "cpu_seconds": cpu, "rows": rows, "peak_rss_mib": peak_mib}


def measure(kind: str, feed_dir: Path, fmt: str, runs: int = 3) -> dict[str, float]:
    """Median seconds and peak RSS over `runs` child processes."""
    samples = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-m", "warehouse.bench", "--one", kind, "--format", fmt, str(feed_dir)],
            check=True,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
        )
        samples.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return {
        "seconds": statistics.median(s["seconds"] for s in samples),
        "cpu_seconds": statistics.median(s["cpu_seconds"] for s in samples),
        "rows": samples[0]["rows"],
        "peak_rss_mib": max(s["peak_rss_mib"] for s in samples),
    }


def bench_ingest(feed_dir: Path | str, fmt: str = "parquet", runs: int = 3) -> dict[str, dict[str, float]]:
    """Median of `runs` runs of the bare DuckDB read and of the ingest of the feed's transactions files."""
    feed_dir = Path(feed_dir)
    bare = measure("bare", feed_dir, fmt, runs)
    full = measure("ingest", feed_dir, fmt, runs)
    ratio = {
        "ingest_over_bare": full["seconds"] / bare["seconds"],
        "cpu_ingest_over_bare": full["cpu_seconds"] / bare["cpu_seconds"],
    }
    return {"bare": bare, "ingest": full, "ratio": ratio}


def main(argv: list[str] | None = None) -> int:
    """Print the benchmark as a small table (or, with --one, a single measurement as JSON)."""
    parser = argparse.ArgumentParser(prog="python -m warehouse.bench", description=__doc__)
    parser.add_argument("feed_dir", type=Path)
    parser.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--one", choices=("bare", "ingest"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(measure_once(args.one, args.feed_dir, args.format)))
        return 0
    result = bench_ingest(args.feed_dir, args.format, args.runs)
    for kind in ("bare", "ingest"):
        r = result[kind]
        print(
            f"{kind:6}  {r['rows']:>12,} rows  {r['seconds']:8.2f} s wall, {r['cpu_seconds']:8.2f} s CPU "
            f"(medians of {args.runs})  "
            f"{r['rows'] / r['seconds']:>12,.0f} rows/s  peak RSS {r['peak_rss_mib']:,.0f} MiB"
        )
    ratio = result["ratio"]
    print(
        f"ingest / bare = {ratio['ingest_over_bare']:.2f} (wall), {ratio['cpu_ingest_over_bare']:.2f} (CPU)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
