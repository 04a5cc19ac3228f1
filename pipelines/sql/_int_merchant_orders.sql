-- Per-shop order features: volume, GMV, buyers, parcels, reviews, refunds, shared devices and addresses.
create or replace temp table _int_merchant_orders as
-- Not materialized: a shared copy of every order's columns is bigger than the memory limit
-- (it spills to disk); each reader scans only the columns it needs instead.
with orders as not materialized (
    select * from stg_transactions
),

category_weights as (
    -- approx_quantile: an exact median would sort every parcel of the market for one number per category
    select category, approx_quantile(tracking_weight_g, 0.5) as median_weight_g
    from orders
    where tracking_weight_g is not null
    group by all
),

single_order_buyers as (
    select platform_id, buyer_id
    from _int_buyer_totals
    where orders_anywhere = 1
),

reason_latency as (
    select refund_reason, median(epoch(refund_completed_at - refund_requested_at) / 86400) as median_days
    from orders
    where refund_outcome = 'approved' and refund_completed_at is not null
    group by all
),

flagged_orders as (
    -- Membership tests rather than joins: a flag per order, without carrying the matched ids along.
    select
        o.*,
        exists (
            select 1 from single_order_buyers as s where s.platform_id = o.platform_id and s.buyer_id = o.buyer_id
        ) as is_single_order_buyer,
        exists (
            select 1 from _int_shared_devices as d where d.platform_id = o.platform_id and d.device_hash = o.device_hash
        ) as is_shared_device,
        exists (
            select 1 from _int_shared_addresses as a
            where a.platform_id = o.platform_id and a.address_hash = o.address_hash
        ) as is_shared_address
    from orders as o
),

enriched as (
    select
        o.*,
        w.median_weight_g,
        coalesce(
            o.refund_reason = 'no_reason_7day'
            and o.refund_requested_at <= o.delivered_at + to_days(cast($return_window_days as integer)),
            false
        ) as is_eligible_return,
        o.status <> 'cancelled'
        and o.ordered_at < $as_of - to_days(cast($undelivered_after_days as integer)) as is_due,
        -- Accounts that exist for one order, or share a phone or address with several others.
        o.is_single_order_buyer or o.is_shared_device or o.is_shared_address as is_suspect_buyer,
        o.rating = 5 and o.reviewed_at < o.delivered_at + to_hours(cast($fast_review_hours as integer))
            as is_fast_five_star,
        coalesce(o.tracking_weight_g < $empty_parcel_ratio * w.median_weight_g, false)
        or coalesce(
            o.rating = 5 and o.reviewed_at < o.delivered_at + to_hours(cast($fast_review_hours as integer)), false
        ) as has_fake_sign
    from flagged_orders as o
    left join category_weights as w using (category)
),

latencies as (
    select
        o.platform_id,
        o.merchant_id,
        count(*) as completed_refund_count,
        median(epoch(o.refund_completed_at - o.refund_requested_at) / 86400) as refund_latency_p50_days,
        quantile_cont(epoch(o.refund_completed_at - o.refund_requested_at) / 86400, 0.9) as refund_latency_p90_days,
        -- Relative to the market's median for the same reason: returns take longer than money-only refunds.
        median(epoch(o.refund_completed_at - o.refund_requested_at) / 86400 / nullif(r.median_days, 0))
            as refund_latency_ratio_p50
    from orders as o
    inner join reason_latency as r using (refund_reason)
    where o.refund_outcome = 'approved' and o.refund_completed_at is not null
    group by all
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
        count(*) filter (is_single_order_buyer) as single_order_buyer_count,
        count(*) filter (tracking_weight_g is not null) as weighed_count,
        count(*) filter (tracking_weight_g < $empty_parcel_ratio * median_weight_g) as empty_parcel_count,
        count(*) filter (rating is not null) as review_count,
        count(*) filter (is_fast_five_star) as fast_five_star_count,
        count(*) filter (is_fast_five_star and is_suspect_buyer) as suspect_fast_five_star_count,
        count(*) filter (rating is not null and not is_suspect_buyer) as genuine_review_count,
        count(*) filter (is_fast_five_star and not is_suspect_buyer) as genuine_fast_five_star_count,
        avg(rating) as rating_avg,
        count(*) filter (is_shared_device) as shared_device_order_count,
        count(*) filter (is_shared_address) as shared_address_order_count,
        -- Orders from shared devices or addresses that also look fake (an empty parcel or an
        -- instant 5-star review): ring accounts' ordinary shopping elsewhere does not count.
        count(*) filter (is_shared_device and has_fake_sign) as shared_device_fake_sign_count,
        count(*) filter (is_shared_address and has_fake_sign) as shared_address_fake_sign_count,
        count(*) filter (delivered_at is not null) as delivered_count,
        count(*) filter (is_due) as due_count,
        count(*) filter (is_due and delivered_at is null) as undelivered_count,
        count(*) filter (refund_reason is not null) as refund_request_count,
        count(*) filter (refund_reason = 'not_as_described') as not_as_described_count,
        count(*) filter (refund_reason = 'quality') as quality_refund_count,
        count(*) filter (refund_reason = 'not_received') as not_received_count,
        count(*) filter (refund_reason in ('not_as_described', 'quality')) as goods_refund_count,
        count(*) filter (refund_reason in ('not_as_described', 'quality') and rating = 5) as five_star_then_refund_count,
        -- Defective or misdescribed goods must be taken back (消费者权益保护法 Art. 24): a refusal is a harm.
        count(*) filter (
            refund_reason in ('not_as_described', 'quality') and refund_outcome = 'rejected'
        ) as refused_goods_refund_count,
        count(*) filter (is_eligible_return) as eligible_return_count,
        count(*) filter (is_eligible_return and refund_outcome = 'rejected') as refused_eligible_return_count,
        min(ordered_at) as first_order_at,
        max(ordered_at) as last_order_at
    from enriched
    group by all
)

select f.*, coalesce(l.completed_refund_count, 0) as completed_refund_count, l.* exclude (platform_id, merchant_id, completed_refund_count)
from final as f
left join latencies as l using (platform_id, merchant_id)
