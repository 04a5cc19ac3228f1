-- Per-shop buyer patterns: buyers, heavy repeat buyers, one buyer's bursts within an hour, new-account peaks.
create or replace table _int_merchant_bursts as
with buyer_hours as (
    select platform_id, merchant_id, buyer_id, date_trunc('hour', ordered_at) as hour_at, count(*) as orders
    from stg_transactions
    group by all
),

buyers as (
    select platform_id, merchant_id, buyer_id,
           sum(orders) as orders,
           sum(orders) filter (orders >= $burst_min_orders) as burst_orders
    from buyer_hours
    group by all
),

per_shop as (
    select
        platform_id,
        merchant_id,
        count(*) as buyer_count,
        coalesce(sum(orders) filter (orders >= $heavy_repeat_orders), 0) as heavy_repeat_order_count,
        max(orders) as max_orders_one_buyer,
        coalesce(sum(burst_orders), 0) as burst_order_count
    from buyers
    group by all
),

newcomer_days as (
    select t.platform_id, t.merchant_id, t.ordered_at::date as order_day, count(*) as newcomer_orders
    from stg_transactions as t
    inner join _int_buyer_totals as b using (platform_id, buyer_id)
    where b.orders_anywhere = 1
    group by all
),

windowed as (
    select *,
           sum(newcomer_orders) over (
               partition by platform_id, merchant_id order by order_day
               range between interval (cast($newcomer_window_days as integer) - 1) day preceding and current row
           ) as newcomer_window_orders
    from newcomer_days
),

newcomer_peaks as (
    select platform_id, merchant_id,
           max(newcomer_window_orders) as newcomer_peak_orders,
           sum(newcomer_orders) as newcomer_order_count
    from windowed
    group by all
),

final as (
    select s.*,
           coalesce(n.newcomer_peak_orders, 0) as newcomer_peak_orders,
           coalesce(n.newcomer_order_count, 0) as newcomer_order_count
    from per_shop as s
    left join newcomer_peaks as n using (platform_id, merchant_id)
)

select * from final
