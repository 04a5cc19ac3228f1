"""The pandas peer: the order features of pipelines/sql, written with pandas group-bys.

This is how a competent analyst would compute them in a notebook: load the staged orders
into one DataFrame, add boolean helper columns, `groupby(...).agg(...)`, merge the pieces.
It covers what the product's SQL builds in `_int_buyer_totals`, `_int_shared_devices`,
`_int_shared_addresses`, `_int_merchant_orders` and `_int_merchant_bursts` (volume, GMV,
buyers, reviews, parcels, shared devices and addresses, delivery, refunds and 7-day
returns, refund latency, repeat buyers, one buyer's orders per clock hour, newcomer peaks),
with the same thresholds and windows (`pipelines.params.FeatureParams`). The benchmark runs
those five SQL files alone as the like-for-like DuckDB side of the comparison (target: at
least 3× faster than this). A test checks that the columns agree with out_merchant_features.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from pipelines.params import FeatureParams

KEY = ["platform_id", "merchant_id"]
ORDER_COLUMNS = (
    "order_id",
    "platform_id",
    "merchant_id",
    "buyer_id",
    "ordered_at",
    "amount",
    "category",
    "status",
    "delivered_at",
    "tracking_weight_g",
    "refund_requested_at",
    "refund_reason",
    "refund_outcome",
    "refund_completed_at",
    "rating",
    "reviewed_at",
    "address_hash",
    "device_hash",
)
# Columns equal to out_merchant_features' (exactly, or to float precision).
SHARED_FEATURES = (
    "order_count",
    "order_count_30d",
    "order_count_90d",
    "gmv_cny",
    "gmv_30d_cny",
    "single_order_buyer_count",
    "weighed_count",
    "review_count",
    "fast_five_star_count",
    "suspect_fast_five_star_count",
    "genuine_review_count",
    "genuine_fast_five_star_count",
    "rating_avg",
    "shared_device_order_count",
    "shared_address_order_count",
    "delivered_count",
    "due_count",
    "undelivered_count",
    "refund_request_count",
    "not_as_described_count",
    "quality_refund_count",
    "not_received_count",
    "goods_refund_count",
    "five_star_then_refund_count",
    "eligible_return_count",
    "refused_eligible_return_count",
    "completed_refund_count",
    "refund_latency_p50_days",
    "refund_latency_p90_days",
    "refund_latency_ratio_p50",
    "buyer_count",
    "heavy_repeat_order_count",
    "max_orders_one_buyer",
    "burst_order_count",
    "newcomer_peak_excess",
    "newcomer_share",
    "active_days",
)
# Columns that depend on the category's median parcel weight, which the SQL takes as an
# approx_quantile (one exact median would sort every parcel of the market): close, not equal.
APPROXIMATE_FEATURES = (
    "empty_parcel_count",
    "shared_device_fake_sign_count",
    "shared_address_fake_sign_count",
)


def load_orders(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The staged orders as one DataFrame (the columns the features use)."""
    columns = ", ".join(ORDER_COLUMNS)
    orders = con.execute(f"select {columns} from stg_transactions").df()  # noqa: S608 - fixed column list
    orders["amount"] = orders["amount"].astype("float64")
    return orders


def _shared(o: pd.DataFrame, column: str, min_accounts: int) -> pd.DataFrame:
    """(platform_id, column) values used by at least `min_accounts` buyer accounts."""
    accounts = o.dropna(subset=[column]).groupby(["platform_id", column])["buyer_id"].nunique()
    return accounts[accounts >= min_accounts].rename(f"{column}_accounts").reset_index()


def compute_features(
    orders: pd.DataFrame, as_of: dt.date, params: FeatureParams | None = None
) -> pd.DataFrame:
    """One row per shop with the order features (see the module's docstring).

    Adds its helper columns to the orders as a notebook would (no defensive copy of the orders).
    """
    params = params or FeatureParams()
    as_of_ts = pd.Timestamp(as_of)
    o = orders

    # Orders per buyer account on its platform; devices and addresses used by several accounts.
    o["orders_anywhere"] = o.groupby(["platform_id", "buyer_id"])["order_id"].transform("size")
    o = o.merge(
        _shared(o, "device_hash", params.shared_accounts), on=["platform_id", "device_hash"], how="left"
    )
    o = o.merge(
        _shared(o, "address_hash", params.shared_accounts), on=["platform_id", "address_hash"], how="left"
    )
    median_weight = o.groupby("category")["tracking_weight_g"].transform("median")

    recent_30 = o["ordered_at"] >= as_of_ts - pd.Timedelta(days=30)
    fast_review = o["reviewed_at"] < o["delivered_at"] + pd.Timedelta(hours=params.fast_review_hours)
    in_window = o["refund_requested_at"] <= o["delivered_at"] + pd.Timedelta(days=params.return_window_days)
    goods_refund = o["refund_reason"].isin(["not_as_described", "quality"])
    o["is_recent_30"] = recent_30
    o["is_recent_90"] = o["ordered_at"] >= as_of_ts - pd.Timedelta(days=90)
    o["amount_30d"] = o["amount"].where(recent_30)
    o["is_single_order_buyer"] = o["orders_anywhere"] == 1
    o["is_weighed"] = o["tracking_weight_g"].notna()
    o["is_empty_parcel"] = (o["tracking_weight_g"] < params.empty_parcel_ratio * median_weight).fillna(False)
    o["is_reviewed"] = o["rating"].notna()
    o["is_fast_five_star"] = ((o["rating"] == 5) & fast_review).fillna(False)
    o["is_shared_device"] = o["device_hash_accounts"].notna()
    o["is_shared_address"] = o["address_hash_accounts"].notna()
    suspect = o["is_single_order_buyer"] | o["is_shared_device"] | o["is_shared_address"]
    fake_sign = o["is_empty_parcel"] | o["is_fast_five_star"]
    o["is_suspect_fast_five_star"] = o["is_fast_five_star"] & suspect
    o["is_genuine_review"] = o["is_reviewed"] & ~suspect
    o["is_genuine_fast_five_star"] = o["is_fast_five_star"] & ~suspect
    o["is_shared_device_fake_sign"] = o["is_shared_device"] & fake_sign
    o["is_shared_address_fake_sign"] = o["is_shared_address"] & fake_sign
    o["is_delivered"] = o["delivered_at"].notna()
    o["is_due"] = (o["status"] != "cancelled") & (
        o["ordered_at"] < as_of_ts - pd.Timedelta(days=params.undelivered_after_days)
    )
    o["is_undelivered"] = o["is_due"] & ~o["is_delivered"]
    o["is_refund_request"] = o["refund_reason"].notna()
    o["is_not_as_described"] = o["refund_reason"] == "not_as_described"
    o["is_quality_refund"] = o["refund_reason"] == "quality"
    o["is_not_received"] = o["refund_reason"] == "not_received"
    o["is_goods_refund"] = goods_refund
    o["is_five_star_then_refund"] = (goods_refund & (o["rating"] == 5)).fillna(False)
    o["is_eligible_return"] = ((o["refund_reason"] == "no_reason_7day") & in_window).fillna(False)
    o["is_refused_eligible_return"] = o["is_eligible_return"] & (o["refund_outcome"] == "rejected")

    shops = o.groupby(KEY).agg(
        order_count=("order_id", "size"),
        order_count_30d=("is_recent_30", "sum"),
        order_count_90d=("is_recent_90", "sum"),
        gmv_cny=("amount", "sum"),
        gmv_30d_cny=("amount_30d", "sum"),
        single_order_buyer_count=("is_single_order_buyer", "sum"),
        weighed_count=("is_weighed", "sum"),
        empty_parcel_count=("is_empty_parcel", "sum"),
        review_count=("is_reviewed", "sum"),
        fast_five_star_count=("is_fast_five_star", "sum"),
        suspect_fast_five_star_count=("is_suspect_fast_five_star", "sum"),
        genuine_review_count=("is_genuine_review", "sum"),
        genuine_fast_five_star_count=("is_genuine_fast_five_star", "sum"),
        rating_avg=("rating", "mean"),
        shared_device_order_count=("is_shared_device", "sum"),
        shared_address_order_count=("is_shared_address", "sum"),
        shared_device_fake_sign_count=("is_shared_device_fake_sign", "sum"),
        shared_address_fake_sign_count=("is_shared_address_fake_sign", "sum"),
        delivered_count=("is_delivered", "sum"),
        due_count=("is_due", "sum"),
        undelivered_count=("is_undelivered", "sum"),
        refund_request_count=("is_refund_request", "sum"),
        not_as_described_count=("is_not_as_described", "sum"),
        quality_refund_count=("is_quality_refund", "sum"),
        not_received_count=("is_not_received", "sum"),
        goods_refund_count=("is_goods_refund", "sum"),
        five_star_then_refund_count=("is_five_star_then_refund", "sum"),
        eligible_return_count=("is_eligible_return", "sum"),
        refused_eligible_return_count=("is_refused_eligible_return", "sum"),
        first_order_at=("ordered_at", "min"),
        last_order_at=("ordered_at", "max"),
    )

    # Refund latency in days (approved and completed refunds), also against the market's
    # median for the same reason.
    refunds = o.loc[
        (o["refund_outcome"] == "approved") & o["refund_completed_at"].notna(),
        [*KEY, "refund_reason", "refund_requested_at", "refund_completed_at"],
    ]
    refunds["latency_days"] = (
        refunds["refund_completed_at"] - refunds["refund_requested_at"]
    ).dt.total_seconds() / 86400
    reason_median = refunds.groupby("refund_reason")["latency_days"].transform("median")
    refunds["latency_ratio"] = refunds["latency_days"] / reason_median.where(reason_median != 0)
    latency = refunds.groupby(KEY).agg(
        completed_refund_count=("latency_days", "size"),
        refund_latency_p50_days=("latency_days", "median"),
        refund_latency_ratio_p50=("latency_ratio", "median"),
    )
    latency["refund_latency_p90_days"] = refunds.groupby(KEY)["latency_days"].quantile(0.9)

    # Buyers: repeat buyers, and one buyer ordering several times within a clock hour.
    o["hour_at"] = o["ordered_at"].dt.floor("h")
    per_hour = o.groupby([*KEY, "buyer_id", "hour_at"]).size().rename("orders").reset_index()
    per_hour["burst_orders"] = per_hour["orders"].where(per_hour["orders"] >= params.burst_min_orders, 0)
    buyers = per_hour.groupby([*KEY, "buyer_id"]).agg(
        orders=("orders", "sum"), burst_orders=("burst_orders", "sum")
    )
    buyers["heavy_orders"] = buyers["orders"].where(buyers["orders"] >= params.heavy_repeat_orders, 0)
    buyers["is_repeat"] = buyers["orders"] >= 2
    repeat = buyers.groupby(KEY).agg(
        buyer_count=("orders", "size"),
        repeat_buyer_share=("is_repeat", "mean"),
        heavy_repeat_order_count=("heavy_orders", "sum"),
        max_orders_one_buyer=("orders", "max"),
        burst_order_count=("burst_orders", "sum"),
    )

    # Newcomer peaks: the busiest window of orders from one-order accounts beyond the shop's usual share.
    o["order_day"] = o["ordered_at"].dt.floor("D")
    daily = (
        o.groupby([*KEY, "order_day"])
        .agg(orders=("order_id", "size"), newcomer_orders=("is_single_order_buyer", "sum"))
        .reset_index()
    )
    window = f"{params.newcomer_window_days}D"
    rolled = daily.set_index("order_day").groupby(KEY)[["orders", "newcomer_orders"]].rolling(window).sum()
    daily["window_orders"] = rolled["orders"].to_numpy()
    daily["window_newcomer_orders"] = rolled["newcomer_orders"].to_numpy()
    by_shop = daily.groupby(KEY)
    daily["newcomer_share"] = by_shop["newcomer_orders"].transform("sum") / by_shop["orders"].transform("sum")
    daily["window_excess"] = (
        daily["window_newcomer_orders"] - daily["window_orders"] * daily["newcomer_share"]
    )
    peaks = daily.loc[daily.groupby(KEY)["window_excess"].idxmax()].set_index(KEY)
    newcomers = pd.DataFrame(
        {
            "newcomer_peak_excess": peaks["window_excess"],
            "newcomer_peak_orders": peaks["window_newcomer_orders"],
            "newcomer_peak_window_orders": peaks["window_orders"],
            "newcomer_share": peaks["newcomer_share"],
            "active_days": daily.groupby(KEY).size(),
        }
    )

    features = shops.join(latency, how="left").join(repeat, how="left").join(newcomers, how="left")
    features["completed_refund_count"] = features["completed_refund_count"].fillna(0)
    return features.reset_index()
