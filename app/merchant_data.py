"""One shop, by its key (platform_id, merchant_id): profile, licences, reasons, complaints, orders, rings, history."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from app import access, db
from app.masking import mask_frame, mask_text
from app.status import warehouse_status

# Order patterns compared with the shop's peer group (same category and size band), each a ratio
# of out_merchant_features columns. Only metrics whose columns the run wrote are shown.
PEER_METRICS: dict[str, tuple[str, str | None, float]] = {
    # metric: (numerator column, denominator column or None for a level, scale)
    "refund_rate": ("refund_request_count", "order_count", 1.0),
    "refused_return_rate": ("refused_eligible_return_count", "eligible_return_count", 1.0),
    "undelivered_share": ("undelivered_count", "due_count", 1.0),
    "empty_parcel_share": ("empty_parcel_count", "weighed_count", 1.0),
    "shared_device_share": ("shared_device_order_count", "order_count", 1.0),
    "shared_address_share": ("shared_address_order_count", "order_count", 1.0),
    "fast_five_star_share": ("fast_five_star_count", "review_count", 1.0),
    "complaints_per_1000": ("complaint_count", "order_count", 1000.0),
    "refund_days_p50": ("refund_latency_p50_days", None, 1.0),
    "rating_avg": ("rating_avg", None, 1.0),
}
# Buyers drawn in a ring graph at most: beyond this the picture is a hairball, the table has all.
RING_GRAPH_MAX_BUYERS = 150


@dataclass(frozen=True)
class MerchantKey:
    """The merchant key everywhere: (platform_id, merchant_id)."""

    platform_id: str
    merchant_id: str


def _source() -> tuple[str, tuple | None]:
    source = db.current_source()
    return source.path, source.version


def profile(key: MerchantKey) -> dict | None:
    """The shop's scores and registration facts from the current run, or None if the run does not know it."""
    frame = _profile(*_source(), key.platform_id, key.merchant_id, warehouse_status().has("stg_platforms"))
    return None if frame.empty else frame.iloc[0].to_dict()


@db.cached(max_entries=256)
def _profile(path, version, platform_id, merchant_id, has_platforms) -> pd.DataFrame:
    platform_name = "p.platform_name" if has_platforms else "m.platform_id"
    platforms = "left join stg_platforms as p using (platform_id)" if has_platforms else ""
    return db.query(
        path,
        f"""
        select m.*, s.opened_on, s.is_credit_code_valid, {platform_name} as platform_name
        from out_merchant_risk as m
        left join stg_merchants as s using (platform_id, merchant_id)
        {platforms}
        where m.platform_id = $platform_id and m.merchant_id = $merchant_id
        """,  # noqa: S608 - fixed fragments chosen by a flag
        {"platform_id": platform_id, "merchant_id": merchant_id},
    )


def licences(credit_code: str | None) -> pd.DataFrame:
    """The registry rows for the shop's credit code, legal representative masked unless an inspector unmasked it."""
    if not credit_code:
        return pd.DataFrame()
    frame = _licences(*_source(), credit_code)
    if credit_code in access.revealed("licence") and len(frame):
        # Read now, never cached: the names stay in this session's page only.
        raw = db.query(
            _source()[0],
            "select l.license_type, l.legal_representative from stg_licenses as l where l.credit_code = $c",
            {"c": credit_code},
        )
        names = dict(zip(raw["license_type"], raw["legal_representative"], strict=True))
        frame = frame.assign(legal_representative=frame["license_type"].map(names))
    return frame


@db.cached(max_entries=256)
def _licences(path, version, credit_code) -> pd.DataFrame:
    frame = db.query(
        path,
        """
        select l.license_type, l.status, l.company_name, l.issued_on, l.expires_on, l.legal_representative,
               l.registered_region, l.business_scope, l.is_credit_code_valid
        from stg_licenses as l
        where l.credit_code = $credit_code
        order by l.license_type
        """,
        {"credit_code": credit_code},
    )
    return mask_frame(frame)


def reasons(key: MerchantKey) -> pd.DataFrame:
    """Every piece of evidence behind the shop's scores: harm, code, evidence, value, peer percentile, texts."""
    return _reasons(*_source(), key.platform_id, key.merchant_id)


@db.cached(max_entries=256)
def _reasons(path, version, platform_id, merchant_id) -> pd.DataFrame:
    return db.query(
        path,
        """
        select r.harm, r.code, r.evidence, r.value, r.peer_percentile, r.text_zh, r.text_en, r.reason_rank
        from out_merchant_reasons as r
        where r.platform_id = $platform_id and r.merchant_id = $merchant_id
        order by r.harm, r.evidence desc
        """,
        {"platform_id": platform_id, "merchant_id": merchant_id},
    )


def complaints(
    key: MerchantKey, start: dt.date | None = None, end: dt.date | None = None, *, personal: bool = False
) -> pd.DataFrame:
    """The shop's complaints, newest first, with the consumer's words; names and phones masked (张*, 138****1234).

    Complaints an inspector unmasked in this session (app/access.py, audited) come unmasked;
    `personal=True` unmasks all of them, for an inspector's export that includes personal data.
    """
    has_text = warehouse_status().has("stg_complaints")
    frame = _complaints(*_source(), key.platform_id, key.merchant_id, start, end, has_text)
    if not has_text or frame.empty:
        return frame
    if personal and access.allowed("export.personal"):
        wanted = set(frame["complaint_id"])
    else:
        wanted = set(access.revealed("complaint")) & set(frame["complaint_id"])
    return _unmasked(frame, wanted) if wanted else frame


def _unmasked(frame: pd.DataFrame, complaint_ids: set[str]) -> pd.DataFrame:
    # Read now, never cached: personal data stay out of the shared query cache.
    raw = db.query(
        _source()[0],
        """
        select s.complaint_id, s.description, s.consumer_name, s.consumer_phone
        from stg_complaints as s
        where list_contains($ids::varchar[], s.complaint_id)
        """,
        {"ids": sorted(complaint_ids)},
    ).set_index("complaint_id")
    frame = frame.copy()
    chosen = frame["complaint_id"].isin(raw.index)
    for column in ("description", "consumer_name", "consumer_phone"):
        frame.loc[chosen, column] = frame.loc[chosen, "complaint_id"].map(raw[column])
    return frame


@db.cached(max_entries=128)
def _complaints(path, version, platform_id, merchant_id, start, end, has_text) -> pd.DataFrame:
    # The description, name and phone come from stg_complaints and leave this function masked
    # (this result is cached and shared; unmasked values are read per request, see `_unmasked`).
    text = "s.description, s.consumer_name, s.consumer_phone" if has_text else "null as description"
    join = "left join stg_complaints as s using (complaint_id)" if has_text else ""
    frame = db.query(
        path,
        f"""
        select c.complaint_id, c.received_at, c.channel, c.category, c.category_source, c.match_method,
               c.match_confidence, c.status, c.outcome, c.first_response_at, c.closed_at, c.amount_involved,
               {text}
        from out_complaints as c
        {join}
        where c.platform_id = $platform_id and c.merchant_id = $merchant_id
          and ($start is null or c.received_at >= $start) and ($end is null or c.received_at < $end)
        order by c.received_at desc
        """,  # noqa: S608 - fixed fragments chosen by a flag
        {"platform_id": platform_id, "merchant_id": merchant_id, "start": start, "end": end},
    )
    if has_text:
        frame["description"] = [
            mask_text(d, (n, p))
            for d, n, p in zip(
                frame["description"], frame["consumer_name"], frame["consumer_phone"], strict=True
            )
        ]
        frame = mask_frame(frame)  # the name and phone themselves: 张*, 138****1234
    return frame


def weekly_orders(key: MerchantKey) -> pd.DataFrame:
    """The shop's own orders per week: orders, GMV, refunds, refusals (the out_merchant_weekly mart)."""
    has_mart = warehouse_status().has("out_merchant_weekly")
    return _weekly_orders(*_source(), key.platform_id, key.merchant_id, has_mart)


@db.cached(max_entries=128)
def _weekly_orders(path, version, platform_id, merchant_id, has_mart) -> pd.DataFrame:
    params = {"platform_id": platform_id, "merchant_id": merchant_id}
    if has_mart:
        return db.query(
            path,
            """
            select w.week, w.order_count, w.gmv_cny, w.refund_request_count, w.refund_rejected_count, w.rating_avg
            from out_merchant_weekly as w
            where w.platform_id = $platform_id and w.merchant_id = $merchant_id
            order by w.week
            """,
            params,
        )
    # A warehouse scored before the mart existed: the same figures from the orders.
    return db.query(
        path,
        """
        select date_trunc('week', t.ordered_at)::date as week,
               count(*) as order_count,
               sum(t.amount) as gmv_cny,
               count(*) filter (t.refund_reason is not null) as refund_request_count,
               count(*) filter (t.refund_outcome = 'rejected') as refund_rejected_count,
               avg(t.rating) as rating_avg
        from stg_transactions as t
        where t.platform_id = $platform_id and t.merchant_id = $merchant_id
        group by all
        order by week
        """,
        params,
    )


def peer_comparison(key: MerchantKey) -> pd.DataFrame:
    """The shop's order patterns against its peer group: metric, shop, peer_median, peer_p90, peer_count."""
    status = warehouse_status()
    if not status.has("out_merchant_features"):
        return pd.DataFrame(columns=["metric", "shop", "peer_median", "peer_p90", "peer_count"])
    columns = db.table_columns(status.path, "out_merchant_features")
    metrics = tuple(
        m for m, (num, den, _) in PEER_METRICS.items() if num in columns and (den is None or den in columns)
    )
    return _peer_comparison(*_source(), key.platform_id, key.merchant_id, metrics)


@db.cached(max_entries=128)
def _peer_comparison(path, version, platform_id, merchant_id, metrics) -> pd.DataFrame:
    values = []
    for metric in metrics:
        numerator, denominator, scale = PEER_METRICS[metric]
        if denominator is None:
            values.append(f"cast(f.{numerator} as double) as {metric}")
        else:
            values.append(f"{scale} * f.{numerator} / nullif(f.{denominator}, 0) as {metric}")
    if not values:
        return pd.DataFrame(columns=["metric", "shop", "peer_median", "peer_p90", "peer_count"])
    frame = db.query(
        path,
        f"""
        with shop as (
            select m.peer_group from out_merchant_risk as m
            where m.platform_id = $platform_id and m.merchant_id = $merchant_id
        )
        select f.platform_id = $platform_id and f.merchant_id = $merchant_id as is_shop, {", ".join(values)}
        from out_merchant_features as f
        join out_merchant_risk as m using (platform_id, merchant_id)
        where m.peer_group = (select peer_group from shop)
        """,  # noqa: S608 - metric names and columns from PEER_METRICS
        {"platform_id": platform_id, "merchant_id": merchant_id},
    )
    rows = []
    shop = frame[frame["is_shop"]]
    for metric in metrics:
        peers = pd.to_numeric(frame[metric], errors="coerce").dropna()
        rows.append(
            {
                "metric": metric,
                "shop": float(shop[metric].iloc[0]) if len(shop) and pd.notna(shop[metric].iloc[0]) else None,
                "peer_median": float(peers.median()) if len(peers) else None,
                "peer_p90": float(peers.quantile(0.9)) if len(peers) else None,
                "peer_count": len(peers),
            }
        )
    return pd.DataFrame(rows)


def rings(key: MerchantKey) -> pd.DataFrame:
    """The rings the shop is a member of (out_rings), largest first."""
    return _rings(*_source(), key.platform_id, key.merchant_id)


@db.cached(max_entries=128)
def _rings(path, version, platform_id, merchant_id) -> pd.DataFrame:
    return db.query(
        path,
        """
        select r.*
        from out_rings as r
        where r.platform_id = $platform_id
          and r.ring_id in (
              select g.ring_id from out_ring_members as g
              where g.platform_id = $platform_id and g.member_type = 'shop' and g.member_id = $merchant_id
          )
        order by r.order_count desc, r.ring_id
        """,
        {"platform_id": platform_id, "merchant_id": merchant_id},
    )


def ring_graph(platform_id: str, ring_ids: tuple[str, ...]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Nodes (member_type, member_id, order_count, ring_id) and buyer→shop edges (orders) of some rings."""
    has_edges = warehouse_status().has("out_ring_edges")
    return _ring_graph(*_source(), platform_id, tuple(sorted(ring_ids)), has_edges)


@db.cached(max_entries=64)
def _ring_graph(path, version, platform_id, ring_ids, has_edges) -> tuple[pd.DataFrame, pd.DataFrame]:
    params = {"platform_id": platform_id, "rings": list(ring_ids), "max_buyers": RING_GRAPH_MAX_BUYERS}
    nodes = db.query(
        path,
        """
        with members as (
            select g.member_type, g.member_id, max(g.order_count) as order_count, min(g.ring_id) as ring_id,
                   row_number() over (partition by g.member_type order by max(g.order_count) desc, g.member_id) as n
            from out_ring_members as g
            where g.platform_id = $platform_id and list_contains($rings::varchar[], g.ring_id)
            group by g.member_type, g.member_id
        )
        select member_type, member_id, order_count, ring_id from members
        where member_type = 'shop' or n <= $max_buyers
        """,
        params,
    )
    if has_edges:
        # The run stored each ring's buyer → shop links (orders inside the ring): no scan of the orders.
        edges = db.query(
            path,
            """
            select e.buyer_id, e.merchant_id, max(e.order_count) as order_count
            from out_ring_edges as e
            where e.platform_id = $platform_id and list_contains($rings::varchar[], e.ring_id)
            group by all
            """,
            {"platform_id": platform_id, "rings": list(ring_ids)},
        )
        buyers = set(nodes.loc[nodes["member_type"] == "buyer", "member_id"])
        return nodes, edges[edges["buyer_id"].isin(buyers)].reset_index(drop=True)
    # A warehouse scored before out_ring_edges: the orders between the ring's own buyers and
    # shops, a semi-join on a few hundred ids over one platform's orders.
    edges = db.query(
        path,
        """
        with members as (
            select g.member_type, g.member_id from out_ring_members as g
            where g.platform_id = $platform_id and list_contains($rings::varchar[], g.ring_id)
        )
        select t.buyer_id, t.merchant_id, count(*) as order_count
        from stg_transactions as t
        where t.platform_id = $platform_id
          and t.merchant_id in (select member_id from members where member_type = 'shop')
          and t.buyer_id in (select member_id from members where member_type = 'buyer')
        group by all
        """,
        {"platform_id": platform_id, "rings": list(ring_ids)},
    )
    buyers = set(nodes.loc[nodes["member_type"] == "buyer", "member_id"])
    edges = edges[edges["buyer_id"].isin(buyers)].reset_index(drop=True)
    return nodes, edges


def score_history(key: MerchantKey) -> pd.DataFrame:
    """The shop's scores in every run (out_merchant_risk_history), oldest run first."""
    return _score_history(*_source(), key.platform_id, key.merchant_id)


@db.cached(max_entries=128)
def _score_history(path, version, platform_id, merchant_id) -> pd.DataFrame:
    return db.query(
        path,
        """
        select h.run_id, r.as_of, r.finished_at, h.risk_score, h.fraud_score, h.fake_trade_score,
               h.after_sales_score, h.license_score, h.risk_level, h.risk_rank
        from out_merchant_risk_history as h
        left join score_runs as r using (run_id)
        where h.platform_id = $platform_id and h.merchant_id = $merchant_id
        order by r.finished_at nulls first, h.run_id
        """,
        {"platform_id": platform_id, "merchant_id": merchant_id},
    )


def search_merchants(text: str, limit: int = 20) -> pd.DataFrame:
    """Shops whose name, credit code or id contains `text` (for picking a shop by hand), best ranked first."""
    return _search_merchants(*_source(), text.strip(), limit)


@db.cached(max_entries=128)
def _search_merchants(path, version, text, limit) -> pd.DataFrame:
    return db.query(
        path,
        """
        select m.platform_id, m.merchant_id, m.shop_name, m.risk_level, m.risk_score
        from out_merchant_risk as m
        where $q = '' or contains(lower(m.shop_name), lower($q)) or contains(lower(m.merchant_id), lower($q))
              or contains(lower(coalesce(m.credit_code, '')), lower($q))
        order by m.risk_rank
        limit $limit
        """,
        {"q": text, "limit": limit},
    )
