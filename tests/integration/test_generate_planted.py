"""Every planted pattern shows in the generated data in the form the ground truth claims."""

from __future__ import annotations

import duckdb
import pytest

from pipelines.demo_market.params import HARD_NEGATIVE_KINDS, HARM_PATTERNS
from pipelines.demo_market.vocab import SCOPE_KEYWORDS
from tests.conftest import small_market


@pytest.fixture(scope="module")
def db(market):
    """The market's feed and truth as DuckDB views (t, m, l, c; labels, rings, negatives)."""
    con = market_views(market)
    yield con
    con.close()


@pytest.fixture(scope="module")
def fraud_db(market, market_root):
    """A market of the same seed where one shop in seven is a fraud, so complaint evidence pools."""
    share = {"fake_trade": 0.02, "fraud": 0.15, "after_sales": 0.02, "license": 0.02}
    con = market_views(small_market(market_root, seed=market.params.seed, planted_share=share))
    yield con
    con.close()


def market_views(market):
    con = duckdb.connect()
    con.execute(f"create view t as select * from read_parquet('{market.feed}/transactions_*.parquet')")
    for name, path in {
        "m": market.feed / "merchants.csv",
        "l": market.feed / "licenses.csv",
        "c": market.feed / "complaints.csv",
        "labels": market.truth / "merchant_labels.csv",
        "rings": market.truth / "rings.csv",
        "negatives": market.truth / "hard_negatives.csv",
    }.items():
        con.execute(f"create view {name} as select * from read_csv('{path}', all_varchar=true, header=true)")
    # Complaints attributed to shops through the truth's exact shop name when the merchant_id is missing.
    con.execute(
        """
        create view shop_complaints as
        select coalesce(nullif(c.merchant_id, ''), m.merchant_id) as merchant_id, c.*
        exclude (merchant_id)
        from c left join m on c.merchant_id is null and c.shop_name = m.shop_name
        """
    )
    con.execute(
        """
        create view shop_stats as
        select merchant_id, count(*) as orders,
               avg((refund_reason = 'not_as_described')::int) as nad_share,
               avg((delivered_at is null and status <> 'cancelled'
                    and ordered_at < timestamp '2026-09-01')::int) as undelivered_share,
               median(epoch(refund_completed_at - refund_requested_at) / 86400) as refund_days,
               count(*) filter (refund_reason = 'no_reason_7day'
                                and refund_requested_at <= delivered_at + interval 7 day) as eligible,
               count(*) filter (refund_reason = 'no_reason_7day' and refund_outcome = 'rejected'
                                and refund_requested_at <= delivered_at + interval 7 day) as refused
        from t group by merchant_id
        """
    )
    return con


def planted(db, pattern: str) -> list[str]:
    return [
        r[0] for r in db.execute("select merchant_id from labels where pattern = ?", [pattern]).fetchall()
    ]


def test_every_harm_is_planted_with_most_patterns(db):
    found = dict(db.execute("select harm, count(distinct pattern) from labels group by harm").fetchall())
    assert set(found) == set(HARM_PATTERNS)
    for harm, patterns in HARM_PATTERNS.items():
        assert found[harm] >= min(3, len(patterns)) - 1, harm


def test_hard_negatives_exist_of_every_kind_and_are_not_planted(db):
    kinds = {r[0] for r in db.execute("select distinct kind from negatives").fetchall()}
    assert kinds == set(HARD_NEGATIVE_KINDS)
    overlap = db.execute(
        "select count(*) from negatives join labels using (platform_id, merchant_id)"
    ).fetchone()[0]
    assert overlap == 0


def test_crowd_ring_workers_order_once_per_client_shop_with_instant_reviews(db):
    rows = db.execute(
        """
        with members as (
            select ring_id, member_type, member_id from rings where ring_type = 'crowd_ring'
        ), ring_orders as (
            select b.ring_id, t.*
            from t
            join members b on b.member_type = 'buyer' and t.buyer_id = b.member_id
            join members s on s.member_type = 'shop' and t.merchant_id = s.member_id and s.ring_id = b.ring_id
        )
        select ring_id,
               count(distinct buyer_id) as workers,
               (select count(*) from members where member_type = 'buyer' and members.ring_id = r.ring_id) as listed,
               count(*) / count(distinct (buyer_id, merchant_id)) as orders_per_pair,
               avg((rating = 5 and reviewed_at < delivered_at + interval 1 day)::int) as instant_five_star,
               count(distinct device_hash) / count(distinct buyer_id) as devices_per_worker
        from ring_orders r group by ring_id
        """
    ).fetchall()
    assert rows, "no crowd ring in the market"
    for ring_id, workers, listed, per_pair, instant, devices in rows:
        assert workers == listed, ring_id
        assert per_pair == 1.0, ring_id
        assert instant > 0.8, ring_id
        assert devices < 0.5, ring_id  # device farms: several accounts per phone


def test_crowd_ring_workers_also_camouflage_at_popular_shops(db):
    outside, inside = db.execute(
        """
        with shops as (select member_id from rings where member_type = 'shop'),
             workers as (select member_id from rings where member_type = 'buyer' and ring_type = 'crowd_ring')
        select count(*) filter (merchant_id not in (select * from shops)),
               count(*) filter (merchant_id in (select * from shops))
        from t where buyer_id in (select * from workers)
        """
    ).fetchone()
    assert outside > 0.5 * inside


def test_private_rings_reorder_in_bursts_from_shared_addresses(db):
    rows = db.execute(
        """
        with b as (select ring_id, member_id from rings where ring_type = 'private_ring' and member_type = 'buyer'),
             s as (select ring_id, member_id from rings where ring_type = 'private_ring' and member_type = 'shop')
        select b.ring_id, count(*) / count(distinct (t.buyer_id, t.merchant_id)) as orders_per_pair,
               count(distinct t.address_hash) as addresses
        from t join b on t.buyer_id = b.member_id join s on t.merchant_id = s.member_id and s.ring_id = b.ring_id
        group by b.ring_id
        """
    ).fetchall()
    assert rows
    for ring_id, per_pair, addresses in rows:
        assert per_pair >= 2, ring_id
        assert addresses <= 3, ring_id


def test_promo_bursts_bring_brand_new_accounts(db):
    """Before a festival the shop gets days of orders from accounts that never order anywhere else."""
    for shop in planted(db, "promo_burst"):
        peak, usual = db.execute(
            """
            with buyer_totals as (select buyer_id, count(*) as orders_anywhere from t group by buyer_id),
            daily as (
                select ordered_at::date as day, count(*) filter (orders_anywhere = 1) as newcomers
                from t join buyer_totals using (buyer_id) where merchant_id = ? group by day
            )
            select max(newcomers), median(newcomers) from daily
            """,
            [shop],
        ).fetchone()
        assert peak >= 3 and peak > 2 * usual + 1, (shop, peak, usual)


@pytest.mark.parametrize(
    ("pattern", "column", "ratio"),
    [
        ("false_advertising", "nad_share", 3.0),
        ("non_delivery", "undelivered_share", 10.0),
        ("slow_refund", "refund_days", 3.0),
    ],
)
def test_shop_level_signals_stand_out_against_honest_shops(db, pattern, column, ratio):
    planted_value, honest_value = db.execute(
        f"""
        select median({column}) filter (merchant_id in (select merchant_id from labels where pattern = ?)),
               median({column}) filter (merchant_id not in (select merchant_id from labels))
        from shop_stats
        """,
        [pattern],
    ).fetchone()
    assert planted_value > ratio * max(honest_value, 1e-3), (planted_value, honest_value)


def test_refused_returns_shops_refuse_most_eligible_seven_day_returns(db):
    rate_planted, rate_honest = db.execute(
        """
        select sum(refused) filter (p) / sum(eligible) filter (p), sum(refused) filter (not p) / sum(eligible) filter (not p)
        from (select *, merchant_id in (select merchant_id from labels where pattern = 'refused_returns') as p
              from shop_stats)
        """
    ).fetchone()
    assert rate_planted > 0.3 and rate_honest < 0.05


@pytest.mark.parametrize(
    ("pattern", "categories"),
    [
        ("false_advertising", ("false_advertising",)),
        ("counterfeit", ("counterfeit",)),
        ("non_delivery", ("non_delivery", "fraud")),
    ],
)
def test_fraud_shops_draw_complaints_of_their_kind(fraud_db, pattern, categories):
    (planted_rate, honest_rate, planted_share, honest_share, categorised) = fraud_db.execute(
        """
        with per_shop as (
            select s.merchant_id, s.orders, count(c.complaint_id) as complaints,
                   count(c.complaint_id) filter (c.category <> '') as categorised,
                   count(c.complaint_id) filter (c.category in (select unnest(?::varchar[]))) as of_kind,
                   s.merchant_id in (select merchant_id from labels where pattern = ?) as p,
                   s.merchant_id in (select merchant_id from labels) as any_planted
            from shop_stats s left join shop_complaints c using (merchant_id)
            group by s.merchant_id, s.orders
        )
        select 1000 * sum(complaints) filter (p) / sum(orders) filter (p),
               1000 * sum(complaints) filter (not any_planted) / sum(orders) filter (not any_planted),
               sum(of_kind) filter (p) / sum(categorised) filter (p),
               sum(of_kind) filter (not any_planted) / sum(categorised) filter (not any_planted),
               sum(categorised) filter (p)
        from per_shop
        """,
        [list(categories), pattern],
    ).fetchone()
    assert planted_rate > 3 * honest_rate
    assert categorised >= 10
    assert planted_share > 2 * honest_share, (planted_share, honest_share)


def test_unresponsive_shops_answer_late_or_never(db):
    late, honest_late = db.execute(
        """
        select avg((first_response_at is null or first_response_at::timestamp > received_at::timestamp + interval 15 day)::int)
                   filter (p),
               avg((first_response_at is null or first_response_at::timestamp > received_at::timestamp + interval 15 day)::int)
                   filter (not p)
        from (select *, merchant_id in (select merchant_id from labels where pattern = 'unresponsive') as p
              from shop_complaints)
        """
    ).fetchone()
    assert late > 0.6 and honest_late < 0.15


@pytest.mark.parametrize(
    ("pattern", "status"),
    [("license_expired", "expired"), ("license_revoked", "revoked"), ("abnormal_operation", "abnormal")],
)
def test_licence_status_patterns(db, pattern, status):
    statuses = db.execute(
        """
        select l.status from labels x join m using (platform_id, merchant_id)
        join l on l.credit_code = m.credit_code and l.license_type = 'business_license'
        where x.pattern = ?
        """,
        [pattern],
    ).fetchall()
    assert len(statuses) == len(planted(db, pattern))
    assert {s[0] for s in statuses} <= {status}


def test_no_sector_permit_and_out_of_scope(db):
    permits = {"食品": "food_operation", "美妆": "cosmetics", "医疗器械": "medical_device"}
    for shop in planted(db, "no_sector_permit"):
        code, category = db.execute(
            "select credit_code, main_category from m where merchant_id = ?", [shop]
        ).fetchone()
        active = db.execute(
            "select count(*) from l where credit_code = ? and license_type = ? and status = 'active'",
            [code, permits.get(category, "?")],
        ).fetchone()[0]
        assert active == 0, shop
    for shop in planted(db, "out_of_scope"):
        code, category = db.execute(
            "select credit_code, main_category from m where merchant_id = ?", [shop]
        ).fetchone()
        scope = db.execute(
            "select business_scope from l where credit_code = ? and license_type = 'business_license'", [code]
        ).fetchone()[0]
        if category:
            assert not any(word in scope for word in SCOPE_KEYWORDS[category]), (shop, scope)


def test_new_companies_with_top_decile_sales(db):
    for shop in planted(db, "new_company_top_sales"):
        age_days, sales_rank = db.execute(
            """
            select date '2026-06-01' - l.issued_on::date,
                   (select percent_rank() over (order by n) from (select merchant_id, count(*) n from t group by 1) q
                    qualify merchant_id = ?)
            from m join l on l.credit_code = m.credit_code and l.license_type = 'business_license'
            where m.merchant_id = ?
            """,
            [shop, shop],
        ).fetchone()
        assert age_days < 120, shop
        assert sales_rank > 0.8, shop
