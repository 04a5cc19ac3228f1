"""Scores on tiny hand-made markets where the right answer is obvious."""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.features import build_merchant_features, scope_items
from pipelines.params import SIGNALS, FeatureParams, ScoreParams
from pipelines.scoring import HARMS, level_z, rate_z, score_merchants, signal_evidence
from warehouse.credit_code import uscc_check_char
from warehouse.ddl import ensure_tables

AS_OF = dt.date(2026, 7, 1)
START = dt.datetime(2026, 4, 1, 10)


def add_merchant(con, mid, category="服装", code="91330100MA27XK1B3Q", valid=True, opened="2024-01-01"):
    con.execute(
        """insert into stg_merchants values (?, 'P01', ?, ?, ?, '浙江', ?::date, ?, 'L1', 'merchants.csv', 1)""",
        [mid, f"{mid}旗舰店", code, category, opened, valid],
    )


def add_licence(
    con, code, status="active", issued="2020-01-01", scope="服装销售；针纺织品销售", kind="business_license"
):
    con.execute(
        """insert into stg_licenses values (?, '杭州测试服饰有限公司', ?, ?, ?::date, null, ?, '张三', '浙江',
           ?, 'L1', 'licenses.csv', 1)""",
        [code, kind, status, issued, scope, True],
    )


def add_orders(con, mid, n, refused_returns=0, ok_returns=0, latency_days=2.0, seed=0):
    """n ordinary orders from distinct buyers, some with 7-day returns refused or approved."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        ordered = START + dt.timedelta(hours=int(i * 7 + rng.integers(0, 5)))
        delivered = ordered + dt.timedelta(days=2)
        reason = outcome = requested = completed = None
        if i < refused_returns + ok_returns:
            reason, requested = "no_reason_7day", delivered + dt.timedelta(days=2)
            outcome = "rejected" if i < refused_returns else "approved"
            completed = requested + dt.timedelta(days=latency_days) if outcome == "approved" else None
        rows.append(
            (
                f"{mid}-{i}",
                "P01",
                mid,
                f"b{mid}{i}",
                ordered,
                100,
                1,
                "服装",
                "returned" if outcome == "approved" else "completed",
                ordered + dt.timedelta(hours=20),
                delivered,
                500,
                requested,
                reason,
                outcome,
                completed,
                None,
                None,
                "浙江",
                f"a{mid}{i}",
                f"d{mid}{i}",
                "L1",
                "transactions.csv",
                i + 2,
            )
        )
    frame = pd.DataFrame(rows)  # noqa: F841 - read by the insert below
    con.execute("insert into stg_transactions select * from frame")


@pytest.fixture
def con():
    c = duckdb.connect()
    ensure_tables(c)
    # The stages before features write these; an empty run has none of their rows.
    c.execute(
        """create table out_complaints (run_id varchar, complaint_id varchar, received_at timestamp,
           channel varchar, platform_id varchar, merchant_id varchar, match_method varchar,
           match_confidence double, category varchar, category_source varchar, category_confidence double,
           status varchar, first_response_at timestamp, closed_at timestamp, outcome varchar,
           resolution_channel varchar, amount_involved decimal(18,2), complainant_key varchar)"""
    )
    c.execute(
        """create table _int_merchant_rings (platform_id varchar, merchant_id varchar, ring_count bigint,
           ring_order_count bigint, ring_order_share double, ring_buyer_count bigint)"""
    )
    yield c
    c.close()


def score(con) -> pd.DataFrame:
    build_merchant_features(con, FeatureParams(), "test-run", AS_OF)
    risk, _ = score_merchants(
        con.execute("select * from out_merchant_features").df(), ScoreParams(), "test-run"
    )
    return risk.set_index("merchant_id")


def valid_code(i: int) -> str:
    body = f"91330100MA{i:07d}"
    return body + uscc_check_char(body)


def honest_market(con, shops=30):
    """Shops with valid licences, ordinary orders and the odd refused return."""
    for i in range(shops):
        add_merchant(con, f"M{i:03d}", code=valid_code(i))
        add_licence(con, valid_code(i))
        add_orders(con, f"M{i:03d}", 120, refused_returns=0 if i % 3 else 1, ok_returns=8, seed=i)


def test_shop_refusing_every_seven_day_return_gets_the_top_after_sales_score(con):
    honest_market(con)
    add_merchant(con, "BAD", code=valid_code(99))
    add_licence(con, valid_code(99))
    add_orders(con, "BAD", 120, refused_returns=10, ok_returns=0)
    risk = score(con)
    assert risk["after_sales_score"].idxmax() == "BAD"
    assert risk.loc["BAD", "after_sales_score"] > 80
    assert "AS_REFUSED_RETURNS" in risk.loc["BAD", "reason_codes"]
    assert "七日无理由" in risk.loc["BAD", "reasons_zh"] and "7-day" in risk.loc["BAD", "reasons_en"]
    assert risk.drop(index="BAD")["after_sales_score"].max() < 30


def test_slow_refunds_stand_out(con):
    honest_market(con)
    add_merchant(con, "SLOW", code=valid_code(98))
    add_licence(con, valid_code(98))
    add_orders(con, "SLOW", 120, ok_returns=10, latency_days=25)
    risk = score(con)
    assert risk["after_sales_score"].idxmax() == "SLOW"
    assert "AS_SLOW_REFUNDS" in risk.loc["SLOW", "reason_codes"]


@pytest.mark.parametrize(
    ("case", "code", "valid", "status", "reason"),
    [
        ("missing code", None, False, "active", "LI_NO_CODE"),
        ("bad check digit", "91330100MA27XK1B3R", False, "active", "LI_BAD_CHECK_DIGIT"),
        ("revoked", "91330100MA27XK1B3Q", True, "revoked", "LI_LICENCE_STATUS"),
        ("abnormal", "91330100MA27XK1B3Q", True, "abnormal", "LI_LICENCE_STATUS"),
    ],
)
def test_licence_rules(con, case, code, valid, status, reason):
    add_merchant(con, "OK", code="91330100MA27XK1B4W")
    add_licence(con, "91330100MA27XK1B4W")
    add_orders(con, "OK", 50)
    add_merchant(con, "X", code=code, valid=valid)
    if code:
        add_licence(con, code, status=status)
    add_orders(con, "X", 50, seed=1)
    risk = score(con)
    assert risk.loc["X", "license_score"] > 50, case
    assert reason in risk.loc["X", "reason_codes"]
    assert risk.loc["OK", "license_score"] == 0


def test_food_shop_without_permit_and_scope(con):
    add_merchant(con, "FOOD", category="食品")
    add_licence(con, "91330100MA27XK1B3Q", scope="技术开发；技术咨询")
    add_orders(con, "FOOD", 30)
    risk = score(con)
    assert {"LI_PERMIT_MISSING", "LI_OUT_OF_SCOPE"} <= set(risk.loc["FOOD", "reason_codes"].split(";"))


def test_scores_bounded_ordered_and_explained(con):
    honest_market(con)
    add_merchant(con, "BAD", code=valid_code(99))
    add_licence(con, valid_code(99))
    add_orders(con, "BAD", 120, refused_returns=10, ok_returns=0)
    risk = score(con)
    for column in [f"{h}_score" for h in HARMS] + ["risk_score"]:
        assert risk[column].between(0, 100).all()
    assert (risk.sort_values("risk_rank")["risk_score"].diff().dropna() <= 0).all()
    assert (risk["reason_codes"].str.count(";") <= 3).all()
    assert risk.loc["BAD", "driver"] in HARMS
    assert set(risk["risk_level"]) <= {"high", "medium", "low"}


def test_same_data_same_scores(con):
    honest_market(con)
    first = score(con)
    second = score(con)
    pd.testing.assert_frame_equal(first, second)


@settings(max_examples=80, deadline=None)
@given(st.integers(1, 300), st.data())
def test_rate_z_grows_with_events_and_is_zero_without_exposure(n0, data):
    x0 = data.draw(st.integers(0, n0 - 1))
    background_n = np.full(40, 100.0)
    background_x = np.full(40, 5.0)
    group = pd.Series(["g"] * 42)

    def z_of(x: float) -> np.ndarray:
        n = np.concatenate([[n0, 0.0], background_n])
        return rate_z(np.concatenate([[x, 0.0], background_x]), n, group, ScoreParams(), 0.5)

    before, after = z_of(x0), z_of(x0 + 1)
    assert np.isfinite(before).all() and before[1] == 0
    assert after[0] >= before[0]


@pytest.mark.parametrize("signal", [s for s in SIGNALS if s.kind == "rate"], ids=lambda s: s.code)
def test_one_event_is_never_evidence(signal):
    shops = 60
    frame = pd.DataFrame(
        {
            "main_category": ["服装"] * shops,
            "peer_group": ["服装·small"] * shops,
            "comparison_group": ["服装·small"] * shops,
            signal.numerator: [1.0] + [0.0] * (shops - 1),
            signal.denominator: [1.0] + [200.0] * (shops - 1),
        }
    )
    evidence, _, _ = signal_evidence(frame, signal, ScoreParams())
    assert evidence[0] == 0


def test_two_events_out_of_two_are_evidence_when_rare():
    n = np.array([2.0] + [200.0] * 50)
    x = np.array([2.0] + [2.0] * 50)
    z = rate_z(x, n, pd.Series(["g"] * len(n)), ScoreParams(), 0.5)
    assert z[0] > ScoreParams().z_threshold


def test_a_shop_that_dwarfs_its_peers_is_not_its_own_norm():
    # One big shop refusing 60 of 100 returns, next to small shops refusing about 2%.
    n = np.array([100.0] + [10.0] * 30)
    x = np.array([60.0] + [0.0] * 29 + [6.0])
    z = rate_z(x, n, pd.Series(["g"] * len(n)), ScoreParams(), 1.0)
    assert z[0] > 8


def test_an_offender_among_few_exposed_peers_does_not_widen_the_spread():
    # Two shops with many events each: the honest one (0 of 80) and the offender (43 of 68).
    n = np.array([68.0, 80.0] + [15.0] * 36)
    x = np.array([43.0, 0.0] + [0.0] * 34 + [1.0, 1.0])
    z = rate_z(x, n, pd.Series(["g"] * len(n)), ScoreParams(), 1.0)
    assert z[0] > 8


def test_a_level_from_few_observations_counts_less_than_from_many():
    # Peers' median refund time at 1× the norm, ±30%; two shops at 6× it, one from 3 refunds, one from 30.
    rng = np.random.default_rng(0)
    value = np.concatenate([[6.0, 6.0], np.exp(rng.normal(0, 0.3, 60))])
    n = np.concatenate([[3.0, 30.0], np.full(60, 20.0)])
    z = level_z(value, n, pd.Series(["g"] * len(n)), ScoreParams())
    assert ScoreParams().z_threshold < z[0] < z[1]
    assert np.abs(z[2:]).max() < z[0]


def test_every_signal_names_a_known_harm_and_kind():
    assert {s.harm for s in SIGNALS} == set(HARMS)
    assert {s.kind for s in SIGNALS} <= {"rate", "level", "peak", "flag"}
    assert len({s.code for s in SIGNALS}) == len(SIGNALS)


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        ("一般项目：服装销售；针纺织品销售（除依法须经批准的项目外）", {"服装销售", "针纺织品销售"}),
        ("技术开发、技术咨询。", {"技术开发", "技术咨询"}),
        (None, set()),
    ],
)
def test_scope_items(scope, expected):
    assert expected <= scope_items(scope)
