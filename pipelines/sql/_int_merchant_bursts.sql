-- Per-shop timing features: 1-hour order bursts per buyer, new-account peaks, heavy repeat buyers.
create or replace table _int_merchant_bursts as
with orders as (
    select platform_id, merchant_id, buyer_id, ordered_at
    from stg_transactions
),

buyer_totals as (
    select platform_id, buyer_id, count(*) as orders_anywhere
    from orders
    group by all
),

hourly as (
    select platform_id, merchant_id, date_trunc('hour', ordered_at) as hour_at,
           count(*) as orders, count(distinct buyer_id) as buyers
    from orders
    group by all
),

bursts as (
    select
        platform_id,
        merchant_id,
        max(orders / buyers) filter (orders >= $burst_min_orders) as max_orders_per_buyer_1h,
        count(*) filter (orders >= $burst_min_orders and orders >= $burst_orders_per_buyer * buyers)
            as burst_hour_count
    from hourly
    group by all
),

daily as (
    select o.platform_id, o.merchant_id, o.ordered_at::date as order_day,
           count(*) filter (b.orders_anywhere = 1) as newcomer_orders
    from orders as o
    inner join buyer_totals as b using (platform_id, buyer_id)
    group by all
),

windowed as (
    select *,
           sum(newcomer_orders) over (
               partition by platform_id, merchant_id order by order_day
               range between interval (cast($newcomer_window_days as integer) - 1) day preceding and current row
           ) as newcomer_window_orders
    from daily
),

newcomer_peaks as (
    select
        platform_id,
        merchant_id,
        max(newcomer_window_orders) as newcomer_peak_orders,
        sum(newcomer_orders) / (date_diff('day', min(order_day), max(order_day)) + 1)
            * $newcomer_window_days as newcomer_expected_orders
    from windowed
    group by all
),

per_buyer as (
    select platform_id, merchant_id, buyer_id, count(*) as orders
    from orders
    group by all
),

repeats as (
    select platform_id, merchant_id,
           sum(orders) filter (orders >= $heavy_repeat_orders) as heavy_repeat_order_count,
           max(orders) as max_orders_one_buyer
    from per_buyer
    group by all
),

final as (
    select r.platform_id, r.merchant_id,
           coalesce(b.max_orders_per_buyer_1h, 1) as max_orders_per_buyer_1h,
           coalesce(b.burst_hour_count, 0) as burst_hour_count,
           n.newcomer_peak_orders,
           n.newcomer_expected_orders,
           coalesce(r.heavy_repeat_order_count, 0) as heavy_repeat_order_count,
           r.max_orders_one_buyer
    from repeats as r
    left join bursts as b using (platform_id, merchant_id)
    left join newcomer_peaks as n using (platform_id, merchant_id)
)

select * from final
