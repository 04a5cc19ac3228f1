-- The floor of the scoring stages: one bare scan of the orders, 15 per-shop aggregates, no joins.
select
    platform_id,
    merchant_id,
    count(*) as order_count,
    sum(amount) as gmv_cny,
    avg(amount) as amount_avg,
    sum(quantity) as quantity_sum,
    min(ordered_at) as first_order_at,
    max(ordered_at) as last_order_at,
    count(*) filter (status = 'cancelled') as cancelled_count,
    count(*) filter (delivered_at is null) as undelivered_count,
    avg(tracking_weight_g) as weight_avg_g,
    count(*) filter (refund_reason is not null) as refund_request_count,
    count(*) filter (refund_outcome = 'rejected') as refund_rejected_count,
    count(rating) as review_count,
    avg(rating) as rating_avg,
    count(*) filter (rating = 5) as five_star_count,
    count(device_hash) as device_count
from stg_transactions
group by platform_id, merchant_id
