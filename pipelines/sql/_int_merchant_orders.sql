-- Per-shop order features: volume, GMV, buyers, parcels, reviews, refunds, shared devices and addresses.
create or replace table _int_merchant_orders as
with orders as (
    select * from stg_transactions
),

buyer_totals as (
    select platform_id, buyer_id, count(*) as orders_anywhere
    from orders
    group by all
),

device_accounts as (
    select platform_id, device_hash, count(distinct buyer_id) as accounts
    from orders
    where device_hash is not null
    group by all
),

address_accounts as (
    select platform_id, address_hash, count(distinct buyer_id) as accounts
    from orders
    where address_hash is not null
    group by all
),

category_weights as (
    select category, median(tracking_weight_g) as median_weight_g
    from orders
    where tracking_weight_g is not null
    group by all
),

reason_latency as (
    select refund_reason, median(epoch(refund_completed_at - refund_requested_at) / 86400) as median_days
    from orders
    where refund_outcome = 'approved' and refund_completed_at is not null
    group by all
),

enriched as (
    select
        o.*,
        b.orders_anywhere,
        coalesce(d.accounts, 1) as device_accounts,
        coalesce(a.accounts, 1) as address_accounts,
        w.median_weight_g,
        epoch(o.refund_completed_at - o.refund_requested_at) / 86400 as latency_days,
        (epoch(o.refund_completed_at - o.refund_requested_at) / 86400) / nullif(r.median_days, 0) as latency_ratio,
        coalesce(
            o.refund_reason = 'no_reason_7day'
            and o.refund_requested_at <= o.delivered_at + to_days(cast($return_window_days as integer)),
            false
        ) as is_eligible_return,
        o.status <> 'cancelled'
        and o.ordered_at < $as_of - to_days(cast($undelivered_after_days as integer)) as is_due,
        -- Accounts that exist for one order, or share a phone or address with several others.
        b.orders_anywhere = 1
        or coalesce(d.accounts, 1) >= $shared_accounts
        or coalesce(a.accounts, 1) >= $shared_accounts as is_suspect_buyer,
        o.rating = 5 and o.reviewed_at < o.delivered_at + to_hours(cast($fast_review_hours as integer))
            as is_fast_five_star
    from orders as o
    inner join buyer_totals as b using (platform_id, buyer_id)
    left join device_accounts as d using (platform_id, device_hash)
    left join address_accounts as a using (platform_id, address_hash)
    left join category_weights as w using (category)
    left join reason_latency as r using (refund_reason)
),

final as (
    select
        platform_id,
        merchant_id,
        count(*) as order_count,
        count(*) filter (ordered_at >= $as_of - interval 30 day) as order_count_30d,
        count(*) filter (ordered_at >= $as_of - interval 90 day) as order_count_90d,
        sum(amount) as gmv_cny,
        sum(amount) filter (ordered_at >= $as_of - interval 30 day) as gmv_30d_cny,
        count(distinct buyer_id) as buyer_count,
        count(*) filter (orders_anywhere = 1) as single_order_buyer_count,
        count(*) filter (tracking_weight_g is not null) as weighed_count,
        count(*) filter (tracking_weight_g < $empty_parcel_ratio * median_weight_g) as empty_parcel_count,
        count(*) filter (rating is not null) as review_count,
        count(*) filter (is_fast_five_star) as fast_five_star_count,
        count(*) filter (is_fast_five_star and is_suspect_buyer) as suspect_fast_five_star_count,
        count(*) filter (rating is not null and not is_suspect_buyer) as genuine_review_count,
        count(*) filter (is_fast_five_star and not is_suspect_buyer) as genuine_fast_five_star_count,
        avg(rating) as rating_avg,
        count(*) filter (device_accounts >= $shared_accounts) as shared_device_order_count,
        count(*) filter (address_accounts >= $shared_accounts) as shared_address_order_count,
        count(*) filter (delivered_at is not null) as delivered_count,
        count(*) filter (is_due) as due_count,
        count(*) filter (is_due and delivered_at is null) as undelivered_count,
        count(*) filter (refund_reason is not null) as refund_request_count,
        count(*) filter (refund_reason = 'not_as_described') as not_as_described_count,
        count(*) filter (refund_reason = 'quality') as quality_refund_count,
        count(*) filter (refund_reason = 'not_received') as not_received_count,
        count(*) filter (refund_reason in ('not_as_described', 'quality')) as goods_refund_count,
        count(*) filter (refund_reason in ('not_as_described', 'quality') and rating = 5) as five_star_then_refund_count,
        count(*) filter (is_eligible_return) as eligible_return_count,
        count(*) filter (is_eligible_return and refund_outcome = 'rejected') as refused_eligible_return_count,
        count(latency_days) as completed_refund_count,
        median(latency_days) as refund_latency_p50_days,
        quantile_cont(latency_days, 0.9) as refund_latency_p90_days,
        median(latency_ratio) as refund_latency_ratio_p50,
        min(ordered_at) as first_order_at,
        max(ordered_at) as last_order_at
    from enriched
    group by all
)

select * from final
