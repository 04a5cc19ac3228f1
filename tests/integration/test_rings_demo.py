"""Rings on generated demo markets: planted crowd and private rings found at shop and account level."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from pipelines.evaluate import ring_report
from pipelines.params import RingParams
from pipelines.rings import detect_rings
from tests.conftest import GeneratedMarket
from warehouse.ddl import ensure_tables

STAGE_TRANSACTIONS = """
insert into stg_transactions by name
select *, 'L1' as _load_id, 'transactions.parquet' as _source_file, 0 as _source_line
from read_parquet($files)
"""
# Measured on seeds 1–10, 11 and 23 of the small market (400 shops, 200k orders, 2–3 crowd rings of
# 60–120 accounts × 5–10 shops and 5–8 private rings a seed): shop precision 1.0 for both ring types;
# shop recall 0.86–1.0 (crowd) and 1.0 (private); account precision 1.0; account recall 0.69–0.93
# (crowd: a worker seen at no kept shop, or in a device cluster too small to count, is missed) and
# 1.0 (private). A seed has only 5–14 planted ring shops, so one miss moves shop recall by up to 20
# points: the floors leave that room.
FLOORS = {
    ("shop", "crowd_ring"): {"precision": 0.8, "recall": 0.7},
    ("shop", "private_ring"): {"precision": 0.8, "recall": 0.85},
    ("buyer", "crowd_ring"): {"precision": 0.95, "recall": 0.55},
    ("buyer", "private_ring"): {"precision": 0.95, "recall": 0.85},
}


@pytest.fixture(scope="module")
def found(market: GeneratedMarket):
    """The market's orders staged in an in-memory warehouse, rings detected, and the ring report."""
    con = duckdb.connect("")
    ensure_tables(con)
    con.execute(STAGE_TRANSACTIONS, {"files": str(market.feed / "transactions_*.parquet")})
    metrics = detect_rings(con, RingParams(), "S-demo")
    members = con.execute("select distinct platform_id, member_type, member_id from out_ring_members").df()
    truth = pd.read_csv(market.truth / "rings.csv", dtype=str)
    yield con, metrics, ring_report(members, truth)
    con.close()


@pytest.mark.parametrize(("member_type", "ring_type"), list(FLOORS))
def test_planted_rings_are_found_precisely(found, member_type, ring_type):
    _, _, report = found
    measured = report[member_type]["by_ring_type"][ring_type]
    floor = FLOORS[(member_type, ring_type)]
    assert measured["precision"] >= floor["precision"], measured
    assert measured["recall"] >= floor["recall"], measured


def test_every_ring_is_explained(found):
    con, metrics, _ = found
    rings = con.execute("select * from out_rings").df()
    assert len(rings) == sum(metrics["rings"].values()) > 0
    assert rings["evidence_zh"].str.contains("个账号").all()
    assert rings["evidence_en"].str.contains("accounts").all()
    assert (rings["buyer_count"] >= RingParams().min_ring_buyers).all()
    assert rings["density"].between(0, 1).all()
    assert (rings["start_at"] <= rings["end_at"]).all()


def test_merchant_rings_cover_every_ring_shop(found):
    con, _, _ = found
    missing = con.execute(
        """
        select m.platform_id, m.member_id
        from out_ring_members as m
        anti join _int_merchant_rings as r on r.platform_id = m.platform_id and r.merchant_id = m.member_id
        where m.member_type = 'shop'
        """
    ).fetchall()
    assert missing == []
    shares = con.execute(
        "select min(ring_order_share), max(ring_order_share) from _int_merchant_rings"
    ).fetchone()
    assert 0 < shares[0] <= shares[1] <= 1
