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

daily as (
    select t.platform_id, t.merchant_id, t.ordered_at::date as order_day,
           count(*) as orders,
           count(*) filter (b.orders_anywhere = 1) as newcomer_orders
    from stg_transactions as t
    inner join _int_buyer_totals as b using (platform_id, buyer_id)
    group by all
),

windowed as (
    select *,
           sum(orders) over recent_days as window_orders,
           sum(newcomer_orders) over recent_days as window_newcomer_orders,
           sum(newcomer_orders) over whole_shop / sum(orders) over whole_shop as newcomer_share
    from daily
    window
        recent_days as (
            partition by platform_id, merchant_id order by order_day
            range between interval (cast($newcomer_window_days as integer) - 1) day preceding and current row
        ),
        whole_shop as (partition by platform_id, merchant_id)
),

scored_windows as (
    -- Orders from one-order accounts beyond the shop's usual share of them: a viral day brings
    -- more of every kind of buyer, a bought burst brings accounts made for it.
    select *, window_newcomer_orders - window_orders * newcomer_share as window_excess
    from windowed
),

newcomer_peaks as (
    select platform_id, merchant_id,
           max(window_excess) as newcomer_peak_excess,
           arg_max(window_newcomer_orders, window_excess) as newcomer_peak_orders,
           arg_max(window_orders, window_excess) as newcomer_peak_window_orders,
           any_value(newcomer_share) as newcomer_share,
           count(*) as active_days
    from scored_windows
    group by all
),

final as (
    select s.*,
           coalesce(n.newcomer_peak_excess, 0) as newcomer_peak_excess,
           coalesce(n.newcomer_peak_orders, 0) as newcomer_peak_orders,
           coalesce(n.newcomer_peak_window_orders, 0) as newcomer_peak_window_orders,
           coalesce(n.newcomer_share, 0) as newcomer_share,
           coalesce(n.active_days, 0) as active_days
    from per_shop as s
    left join newcomer_peaks as n using (platform_id, merchant_id)
)

select * from final
