"""Merchant features: the SQL over the staged tables that every score reads."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import duckdb

from pipelines.params import FeatureParams
from pipelines.sqlfiles import run_sql
from warehouse.schema import quote_identifier

# The order features (orders, buyers, bursts), in build order: per-order intermediates only
# out_merchant_features reads, so temporary tables, never written to the warehouse file
# (writing them cost a tenth of their time at 1M orders).
ORDER_FEATURE_TABLES = (
    "_int_buyer_totals",
    "_int_shared_devices",
    "_int_shared_addresses",
    "_int_merchant_orders",
    "_int_merchant_bursts",
)
FEATURE_TABLES = (
    *ORDER_FEATURE_TABLES,
    "_int_merchant_complaints",
    "_int_merchant_licences",
    "out_merchant_features",
)


def as_of_day(con: duckdb.DuckDBPyConnection) -> dt.date:
    """The day after the latest order or complaint: every window counts back from it."""
    latest = con.execute(
        """
        select greatest(
            (select max(ordered_at) from stg_transactions),
            (select max(received_at) from stg_complaints)
        )
        """
    ).fetchone()[0]
    if latest is None:
        raise ValueError("the warehouse has no orders and no complaints: load a feed first")
    return latest.date() + dt.timedelta(days=1)


SCOPE_ITEM_SEPARATORS = re.compile(r"[；;、，,。：:（）()\s]+")
SCOPE_ITEM_PREFIXES = ("一般项目", "许可项目", "经营范围")


def scope_items(scope: str | None) -> set[str]:
    """The items a 经营范围 text lists, e.g. {'电子产品销售', '通讯设备销售'}."""
    items = set()
    for part in SCOPE_ITEM_SEPARATORS.split(scope or ""):
        for prefix in SCOPE_ITEM_PREFIXES:
            part = part.removeprefix(prefix)
        if 2 <= len(part) <= 20:
            items.add(part)
    return items


def learn_scope_items(con: duckdb.DuckDBPyConnection, params: FeatureParams) -> list[tuple[str, str]]:
    """Scope items characteristic of each category's shops, learned from the registry.

    Most shops trade within their scope, so an item listed far more often by one category's
    companies than by others' covers that category, whatever words the registry used.
    """
    rows = con.execute(
        """
        select m.main_category, l.business_scope
        from stg_merchants as m
        inner join stg_licenses as l on l.credit_code = m.credit_code and l.license_type = 'business_license'
        where m.main_category is not null and l.business_scope is not null
        """
    ).fetchall()
    shops: dict[str, int] = {}
    with_item: dict[tuple[str, str], int] = {}
    for category, scope in rows:
        shops[category] = shops.get(category, 0) + 1
        for item in scope_items(scope):
            with_item[(category, item)] = with_item.get((category, item), 0) + 1
    total = sum(shops.values())
    per_item: dict[str, int] = {}
    for (_, item), count in with_item.items():
        per_item[item] = per_item.get(item, 0) + count
    learned = []
    for (category, item), count in sorted(with_item.items()):
        share_in = count / shops[category]
        share_out = (per_item[item] - count) / max(total - shops[category], 1)
        if (
            count >= params.scope_item_min_shops
            and share_in >= params.scope_item_min_share
            and share_in >= params.scope_item_min_lift * share_out
        ):
            learned.append((category, item))
    return learned


def _load_lookups(con: duckdb.DuckDBPyConnection, params: FeatureParams) -> None:
    """Tables the SQL joins: which permit a category needs, which scope words cover it."""
    con.execute("create or replace temp table _int_sector_permits (category varchar, license_type varchar)")
    con.executemany("insert into _int_sector_permits values (?, ?)", list(params.sector_permits.items()))
    keywords = {(c, k) for c, words in params.scope_keywords.items() for k in words}
    keywords |= set(learn_scope_items(con, params))
    con.execute("create or replace temp table _int_scope_keywords (category varchar, keyword varchar)")
    con.executemany("insert into _int_scope_keywords values (?, ?)", sorted(keywords))


def build_merchant_features(
    con: duckdb.DuckDBPyConnection, params: FeatureParams, run_id: str, as_of: dt.date
) -> int:
    """Build out_merchant_features (needs out_complaints and _int_merchant_rings); returns its row count."""
    _load_lookups(con, params)
    values = {
        k: v
        for k, v in dataclasses.asdict(params).items()
        if isinstance(v, int | float) and not isinstance(v, bool)
    }
    values.update(as_of=as_of, run_id=run_id)
    # Warehouses scored before these became temporary still hold them: drop the stale copies
    # (named with the file's catalog: a bare `main.` would find the temporary table first).
    catalog = quote_identifier(con.execute("select current_database()").fetchone()[0])
    for table in ORDER_FEATURE_TABLES:
        con.execute(f"drop table if exists {catalog}.main.{quote_identifier(table)}")
    for table in FEATURE_TABLES:
        run_sql(con, table, values)
    return con.execute("select count(*) from out_merchant_features").fetchone()[0]
