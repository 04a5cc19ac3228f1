"""A supervisor's parameter change reaches the next `python -m pipelines score` run and moves scores as it should."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pipelines import cli, param_overrides
from pipelines.run import run_scoring
from tests.conftest import small_market
from warehouse.loader import ingest

# The app tests' market: small enough to score in seconds, with every kind of planted shop.
MARKET = {"seed": 11, "merchants": 150, "orders": 40_000, "days": 90}
REASON = "ticket 2026-118: test of the override path"
WHO = {"reason": REASON, "actor": "cli:test", "actor_role": ""}
SCORES = ["risk_score", "fraud_score", "fake_trade_score", "after_sales_score", "license_score"]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A loaded small market scored once with the defaults; returns its path and that run's id."""
    market = small_market(tmp_path_factory.mktemp("override_market"), **MARKET)
    db = tmp_path_factory.mktemp("override_wh") / "market.duckdb"
    ingest([market.feed], db)
    return db, run_scoring(db)


def scores(db: Path, run_id: str) -> pd.DataFrame:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(
            "select platform_id, merchant_id, risk_score, fraud_score, fake_trade_score, after_sales_score,"
            " license_score, risk_level from out_merchant_risk_history where run_id = ?"
            " order by platform_id, merchant_id",
            [run_id],
        ).df()


def score_cli(db: Path, store: Path, capsys) -> tuple[str, str]:
    """`python -m pipelines score` in this process; returns the run id and what it said on stderr."""
    status = cli.main(["score", "--db", str(db), "--access-db", str(store)])
    out, err = capsys.readouterr()
    assert status == 0, err
    return out.strip(), err


def test_a_higher_threshold_lowers_scores_and_the_run_records_it(warehouse, tmp_path, capsys):
    db, baseline = warehouse
    store = tmp_path / "access.sqlite"
    param_overrides.set_override(store, "scores.z_threshold", "3", **WHO)
    run_id, said = score_cli(db, store, capsys)
    assert "applying 1 parameter override(s)" in said
    assert "scores.z_threshold = 3.0 (default 1.5; cli:test" in said and REASON in said
    params, _ = param_overrides.effective_params(store)
    assert run_id.endswith(params.digest()) and not baseline.endswith(params.digest())
    with duckdb.connect(str(db), read_only=True) as con:
        (recorded,) = con.execute("select params_json from score_runs where run_id = ?", [run_id]).fetchone()
    recorded = json.loads(recorded)
    assert recorded["scores"]["z_threshold"] == 3.0
    assert [(o["name"], o["value"], o["default"], o["reason"]) for o in recorded["overrides"]] == [
        ("scores.z_threshold", 3.0, 1.5, REASON)
    ]
    before, after = scores(db, baseline), scores(db, run_id)
    assert list(before["merchant_id"]) == list(after["merchant_id"])
    # Evidence is weight · (z − threshold): a higher threshold never raises a score, and lowers some.
    assert (after[SCORES].to_numpy() <= before[SCORES].to_numpy()).all()
    assert (after["risk_score"] < before["risk_score"]).any()
    # Flags (licences, rings) do not depend on the threshold.
    assert (after["license_score"] == before["license_score"]).all()


def test_a_heavier_weight_raises_the_scores_of_exactly_the_shops_with_that_signal(
    warehouse, tmp_path, capsys
):
    db, baseline = warehouse
    store = tmp_path / "access.sqlite"
    code = "LI_LICENCE_STATUS"
    param_overrides.set_override(store, f"signals.{code}.weight", "8", **WHO)
    run_id, said = score_cli(db, store, capsys)
    assert f"signals.{code}.weight = 8.0 (default 4.0" in said
    before, after = scores(db, baseline), scores(db, run_id)
    with duckdb.connect(str(db), read_only=True) as con:
        flagged = set(
            con.execute(
                "select platform_id, merchant_id from out_merchant_reasons where run_id = ? and code = ?",
                [run_id, code],
            ).fetchall()
        )
    assert flagged, "the market has shops with a bad licence"
    keys = list(zip(before["platform_id"], before["merchant_id"], strict=True))
    has = pd.Series([k in flagged for k in keys])
    rose = after["license_score"] > before["license_score"]
    same = after["license_score"] == before["license_score"]
    assert (rose[has] | (before["license_score"][has] == 100)).all()
    assert same[~has].all()
    assert (after[SCORES].to_numpy() >= before[SCORES].to_numpy()).all()
    # Reset: the next run is back to the default scores.
    param_overrides.reset_override(store, f"signals.{code}.weight", **WHO)
    again, said = score_cli(db, store, capsys)
    assert "no parameter overrides" in said
    pd.testing.assert_frame_equal(scores(db, again)[SCORES], before[SCORES])
