"""The benchmark runs end to end on a 1M-order market, so it cannot rot: every stage measured, table and docs written.

One run per stage (`--quick --repeats 1`), about two minutes here: the same market shape and
code paths as `python -m pipelines bench --quick`, only fewer repeats.
"""

from __future__ import annotations

import argparse
import dataclasses
import json

import duckdb
import numpy as np
import pytest

from pipelines.bench.harness import (
    SCORING_STAGES,
    Workspace,
    ensure_market,
    pandas_needs_mib,
    pandas_skip_reason,
    run_bench,
)
from pipelines.bench.measure import Stat
from pipelines.bench.pages import page_files
from pipelines.bench.pandas_peer import APPROXIMATE_FEATURES, SHARED_FEATURES, compute_features, load_orders
from pipelines.bench.report import COLUMNS, BenchResult, Row, faster_than_pandas, render_markdown, within
from pipelines.bench.sizes import market_for, parse_size, size_label
from pipelines.commands.bench import _sizes
from pipelines.features import as_of_day

SMOKE = market_for(1_000_000)
STAGES = {
    "generate",
    "bare_parquet",
    "ingest_parquet",
    "bare_csv",
    "ingest_csv",
    "ingest_feed",
    "scan_floor",
    *(f"stage:{name}" for name in SCORING_STAGES),
    "stage:order_features",
    "score",
    "pandas_load",
    "pandas_peer",
}


@dataclasses.dataclass(frozen=True)
class BenchRun:
    result: object
    work: object
    out: object
    shown: str


slow = pytest.mark.slow


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> BenchRun:
    root = tmp_path_factory.mktemp("bench")
    shown: list[str] = []
    out = root / "benchmarks.md"
    [result] = run_bench(
        [SMOKE], repeats=1, work=root / "work", out=out, command="smoke", quick=True, show=shown.append
    )
    return BenchRun(result, root / "work", out, "\n".join(shown))


@slow
def test_every_stage_is_measured_with_positive_time_and_memory(bench):
    rows = {row.key: row for row in bench.result.rows}
    pages = {f"page:{name}:{kind}" for name in page_files() for kind in ("first", "filter")}
    assert set(rows) == STAGES | pages
    for row in rows.values():
        assert row.stat.seconds > 0, row.stage
        assert row.stat.peak_mib > 0, row.stage
        assert row.stat.runs == 1, row.stage
    assert rows["ingest_parquet"].stat.rows == rows["bare_parquet"].stat.rows == rows["generate"].stat.rows
    assert rows["ingest_csv"].stat.rows == rows["bare_csv"].stat.rows == bench.result.orders
    assert not any(bench.result.page_errors.values()), bench.result.page_errors
    assert set(bench.result.in_run) == {*SCORING_STAGES, "total"}


@slow
def test_the_table_and_the_docs_show_every_stage_and_the_machine(bench):
    for row in bench.result.rows:
        assert row.stage in bench.shown
    doc = bench.out.read_text(encoding="utf-8")
    assert "| " + " | ".join(COLUMNS) + " |" in doc
    assert "Draft: figures at 1M orders" in doc
    for heading in ("## Machine", "## Scaling", "## Targets missed", "duckdb", "cores"):
        assert heading in doc
    assert (bench.work / "results" / f"{SMOKE.key}.json").is_file()


@slow
def test_verdicts_are_met_missed_or_not_judged(bench):
    verdicts = {bench.result.verdict(row) for row in bench.result.rows if row.judge}
    assert verdicts <= {"met", "MISSED", "— (at 10M)"}  # everything it is compared with was measured
    assert bench.result.verdict(bench.result.row("generate")) == ""  # no target


@slow
def test_a_rerun_reuses_the_cached_market(bench):
    said: list[str] = []
    ws = Workspace(bench.work, SMOKE)
    for fmt in ("parquet", "csv"):
        ensure_market(SMOKE, ws, fmt, said.append)
        assert (ws.feed(fmt)).is_dir()
    assert said == []


@slow
def test_the_pandas_peer_computes_the_same_features_as_the_sql(bench):
    scored = Workspace(bench.work, SMOKE).scored
    with duckdb.connect(str(scored), read_only=True) as con:
        peer = compute_features(load_orders(con), as_of_day(con))
        sql = con.execute("select * from out_merchant_features").df()
    both = sql.merge(peer, on=["platform_id", "merchant_id"], suffixes=("_sql", "_peer"))
    assert len(both) == len(peer) > 0

    def agree(column: str) -> np.ndarray:
        expected = both[f"{column}_sql"].astype("float64").fillna(0).to_numpy()
        got = both[f"{column}_peer"].astype("float64").fillna(0).to_numpy()
        return np.isclose(expected, got, rtol=1e-9, atol=1e-6)

    for column in SHARED_FEATURES:
        assert agree(column).all(), column
    for column in APPROXIMATE_FEATURES:  # the SQL's category median parcel weight is approximate
        assert agree(column).mean() >= 0.95, column


@pytest.mark.parametrize(
    ("text", "orders", "label"),
    [
        ("1M", 1_000_000, "1M"),
        ("10m", 10_000_000, "10M"),
        ("200k", 200_000, "200k"),
        ("1500000", 1_500_000, "1500k"),
    ],
)
def test_sizes_parse_and_label(text, orders, label):
    assert parse_size(text) == orders
    assert size_label(orders) == label


@pytest.mark.parametrize(("orders", "merchants", "days"), [(1_000_000, 2000, 180), (10_000_000, 50_000, 365)])
def test_the_measured_market_shapes_are_used_for_1m_and_10m(orders, merchants, days):
    params = market_for(orders).params
    assert (params.merchants, params.days, params.orders) == (merchants, days, None)


def test_other_sizes_set_their_orders():
    params = market_for(30_000_000).params
    assert params.organic_orders == 30_000_000 and params.days == 365 and params.merchants == 150_000


def saved_result(work, key: str, orders: int, pandas_peak_mib: float | None) -> None:
    rows = [{"key": "score", "peak_mib": 500.0}]
    if pandas_peak_mib is not None:
        rows.append({"key": "pandas_peer", "peak_mib": pandas_peak_mib})
    (work / "results").mkdir(parents=True, exist_ok=True)
    (work / "results" / f"{key}.json").write_text(
        json.dumps({"orders": orders, "rows": rows}), encoding="utf-8"
    )


def test_the_pandas_peer_is_not_run_where_its_measured_memory_per_order_would_not_fit(tmp_path):
    saved_result(tmp_path, "1M", 1_000_000, 1_300.0)
    saved_result(tmp_path, "10M", 10_000_000, 11_500.0)  # 1.15 KiB per order: the larger per-order need wins
    assert pandas_needs_mib(tmp_path, 30_000_000) == (39_000.0, "1,300 MiB at 1,000,000 orders")
    reason = pandas_skip_reason(tmp_path, 30_000_000, available=24_000.0)
    assert reason.startswith("not run: it would need about 38 GiB") and "23.4 GiB available" in reason
    assert pandas_skip_reason(tmp_path, 10_000_000, available=24_000.0) == ""  # 13 GiB fits in 80%


def test_the_pandas_peer_runs_when_nothing_measured_says_it_would_not_fit(tmp_path):
    assert pandas_skip_reason(tmp_path, 30_000_000, available=24_000.0) == ""
    saved_result(tmp_path, "1M", 1_000_000, None)  # a run with --only ingest measured no peer
    assert pandas_skip_reason(tmp_path, 30_000_000, available=24_000.0) == ""
    saved_result(tmp_path, "1M", 1_000_000, 1_300.0)
    assert pandas_skip_reason(tmp_path, 30_000_000, available=None) == ""


def test_a_stage_not_run_is_neither_failed_nor_missed_and_its_reason_is_in_the_docs():
    result = BenchResult(SMOKE, orders=30_000_000, shops=1, repeats=1)
    nothing = Stat.of_times([], [], 0, None)
    result.rows.append(Row("pandas_peer", "pandas peer", nothing, skipped="not run: memory"))
    features = Row("stage:order_features", "features", Stat.of_times([1.0], [1.0], 1, 1.0), pandas=True)
    features.judge = faster_than_pandas(3.0)
    result.rows.append(features)
    assert result.failed() == [] and result.missed() == []
    assert result.verdict(result.rows[0]) == "not run"
    assert result.verdict(features) == "not judged"  # nothing to compare with
    doc = render_markdown([result], "smoke", quick=False)
    assert "## Stages not run" in doc and "- at 1M: pandas peer: not run: memory" in doc


def test_scaling_sizes_may_carry_their_own_runs():
    assert _sizes("1M,10M,30M:1") == [(1_000_000, None), (10_000_000, None), (30_000_000, 1)]
    with pytest.raises(argparse.ArgumentTypeError):
        _sizes("30M:0")


@pytest.mark.parametrize(
    ("orders", "seconds", "verdict"),
    [
        (10_564_935, 0.5, "met"),
        (10_564_935, 1.5, "MISSED"),
        (1_014_704, 0.5, "— (at 10M)"),
        (1_014_704, 1.5, "MISSED"),  # slower on a smaller market: it cannot meet the limit at 10M
        (31_325_952, 0.5, "— (at 10M)"),
        (31_325_952, 1.5, "— (at 10M)"),  # a larger market may take longer than the 10M limit
    ],
)
def test_absolute_targets_are_judged_at_10m_and_on_smaller_markets_only(orders, seconds, verdict):
    result = BenchResult(SMOKE, orders=orders, shops=1, repeats=1)
    row = Row(
        "page:x:first", "page x", Stat.of_times([seconds], [], 0, 1.0), judge=within(1.0), absolute=True
    )
    result.rows.append(row)
    assert result.verdict(row) == verdict
