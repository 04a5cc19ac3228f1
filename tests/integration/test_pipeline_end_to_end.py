"""From generator to watchlist: generate, ingest, score, evaluate and export a small market."""

from __future__ import annotations

import csv
import json

import duckdb
import pytest

from pipelines.evaluate import evaluate_warehouse
from pipelines.run import run_scoring
from pipelines.watchlist import WatchlistQuery, export_watchlist
from warehouse.loader import ingest
from warehouse.publish import connect_readonly

HARMS = ("fraud", "fake_trade", "after_sales", "license")
WATCHLIST_COLUMNS = [
    "rank", "platform_id", "merchant_id", "shop_name", "credit_code", "risk_score", "fraud_score",
    "fake_trade_score", "after_sales_score", "license_score", "risk_level", "reasons", "score_run_id",
]  # fmt: skip


@pytest.fixture(scope="module")
def scored(market, tmp_path_factory):
    """The market loaded and scored once; returns (warehouse path, run id, evaluation report)."""
    db = tmp_path_factory.mktemp("warehouse") / "market.duckdb"
    report = ingest([market.feed], db)
    assert report.exit_status == 0
    run_id = run_scoring(db)
    return db, run_id, evaluate_warehouse(db, market.truth, run_id)


def model_row(report: dict, level: str, harm: str | None = None) -> dict:
    return next(
        r for r in report["ranking"] if r["level"] == level and r["harm"] == harm and r["method"] == "model"
    )


def baseline_rows(report: dict, level: str, harm: str | None = None) -> list[dict]:
    return [
        r
        for r in report["ranking"]
        if r["level"] == level and r["harm"] == harm and r["method"] in ("gmv", "complaints", "random")
    ]


def test_run_is_recorded_with_params_timings_and_metrics(scored):
    db, run_id, _ = scored
    con = connect_readonly(db)
    try:
        params, timings, metrics = con.execute(
            "select params_json, timings_json, metrics_json from score_runs where run_id = ?", [run_id]
        ).fetchone()
        assert {"features", "scores", "rings", "complaint_text", "total"} <= set(json.loads(timings))
        assert "signals" in json.loads(params)
        assert 0.3 < json.loads(metrics)["complaint_text"]["classifier"]["macro_f1"] < 1.0
        merchants = con.execute("select count(*) from stg_merchants").fetchone()[0]
        rows, distinct_runs = con.execute(
            "select count(*), count(distinct run_id) from out_merchant_risk"
        ).fetchone()
        assert rows == merchants and distinct_runs == 1
        out_of_range = con.execute(
            """select count(*) from out_merchant_risk
               where not (risk_score between 0 and 100 and fraud_score between 0 and 100
                          and fake_trade_score between 0 and 100 and after_sales_score between 0 and 100
                          and license_score between 0 and 100)"""
        ).fetchone()[0]
        assert out_of_range == 0
    finally:
        con.close()


def test_shop_weeks_mart_adds_up_to_the_orders(scored):
    db, run_id, _ = scored
    con = connect_readonly(db)
    try:
        differing = con.execute(
            """with mart as (
                   select platform_id, merchant_id, sum(order_count) as orders, sum(refund_rejected_count) as refused
                   from out_merchant_weekly group by all
               ),
               orders as (
                   select platform_id, merchant_id, count(*) as orders,
                          count(*) filter (refund_outcome = 'rejected') as refused
                   from stg_transactions group by all
               )
               select count(*) from orders full join mart using (platform_id, merchant_id)
               where mart.orders is distinct from orders.orders or mart.refused is distinct from orders.refused"""
        ).fetchone()[0]
        assert differing == 0
        assert con.execute("select distinct run_id from out_merchant_weekly").fetchall() == [(run_id,)]
    finally:
        con.close()


@pytest.mark.parametrize("harm", HARMS)
def test_each_harm_beats_its_baselines(scored, harm):
    _, _, report = scored
    model = model_row(report, "harm", harm)
    assert model["positives"] >= 10
    for baseline in baseline_rows(report, "harm", harm):
        assert model["pr_auc"] > baseline["pr_auc"] + 0.2, baseline["method"]
    assert model["precision_at_20"] >= 0.7  # a small market; the demo-size figures are in docs/quality.md


def test_composite_top_is_planted_and_free_of_hard_negatives(scored, market):
    db, _, report = scored
    composite = model_row(report, "composite")
    assert composite["precision_at_20"] >= 0.9
    assert composite["pr_auc"] >= 0.7
    assert report["rings"]["shop"]["overall"]["recall"] >= 0.8
    # The demo's top 100 of 2,000 shops is the top 5%: the same share of this small market.
    with (market.truth / "hard_negatives.csv").open(encoding="utf-8") as f:
        honest = {(r["platform_id"], r["merchant_id"]) for r in csv.DictReader(f)}
    con = connect_readonly(db)
    try:
        top = con.execute(
            """select platform_id, merchant_id from out_merchant_risk
               order by risk_score desc, platform_id, merchant_id
               limit (select ceil(0.05 * count(*)) from out_merchant_risk)"""
        ).fetchall()
    finally:
        con.close()
    assert len(honest) >= 10
    assert not set(top) & honest


def test_watchlist_matches_the_ranking(scored, tmp_path):
    db, run_id, _ = scored
    out = tmp_path / "watchlist.csv"
    con = connect_readonly(db)
    try:
        written = export_watchlist(con, WatchlistQuery(top=25), out)
        expected = con.execute(
            "select merchant_id from out_merchant_risk order by risk_score desc, platform_id, merchant_id limit 25"
        ).fetchall()
    finally:
        con.close()
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with out.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert written == len(rows) == 25
    assert list(rows[0]) == WATCHLIST_COLUMNS
    assert [r["merchant_id"] for r in rows] == [m for (m,) in expected]
    assert [int(r["rank"]) for r in rows] == list(range(1, 26))
    assert {r["score_run_id"] for r in rows} == {run_id}
    assert all(r["reasons"] for r in rows[:10])


def test_same_data_same_scores(scored, tmp_path):
    db, _, _ = scored
    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(db.read_bytes())
    run_scoring(copy)
    query = (
        "select platform_id, merchant_id, risk_score, fraud_score, fake_trade_score, after_sales_score, "
        "license_score, reason_codes from out_merchant_risk order by platform_id, merchant_id"
    )
    with duckdb.connect(str(db), read_only=True) as a, duckdb.connect(str(copy), read_only=True) as b:
        assert a.execute(query).fetchall() == b.execute(query).fetchall()
