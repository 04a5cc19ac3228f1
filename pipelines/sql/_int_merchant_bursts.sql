-- Per-shop buyer patterns: buyers, heavy repeat buyers, one buyer's bursts within an hour, new-account peaks.
create or replace temp table _int_merchant_bursts as
with buyers as (
    select platform_id, merchant_id, buyer_id, count(*) as orders
    from stg_transactions
    group by all
),

burst_candidates as (
    -- Only a buyer with that many orders at a shop can place them within one hour: hourly counts
    -- for these few pairs instead of for every order's buyer and hour.
    select platform_id, merchant_id, buyer_id
    from buyers
    where orders >= $burst_min_orders
),

burst_hours as (
    select t.platform_id, t.merchant_id, count(*) as orders
    from stg_transactions as t
    semi join burst_candidates as c using (platform_id, merchant_id, buyer_id)
    group by t.platform_id, t.merchant_id, t.buyer_id, date_trunc('hour', t.ordered_at)
    having count(*) >= $burst_min_orders
),

shop_bursts as (
    select platform_id, merchant_id, sum(orders) as burst_order_count
    from burst_hours
    group by all
),

per_shop as (
    select
        platform_id,
        merchant_id,
        count(*) as buyer_count,
        coalesce(sum(orders) filter (orders >= $heavy_repeat_orders), 0) as heavy_repeat_order_count,
        -- HUGEINT like the sums beside it (the column's type since orders per buyer were summed from hours).
        max(orders)::hugeint as max_orders_one_buyer
    from buyers
    group by all
),

single_order_buyers as (
    select platform_id, buyer_id
    from _int_buyer_totals
    where orders_anywhere = 1
),

daily as (
    select t.platform_id, t.merchant_id, t.ordered_at::date as order_day,
           count(*) as orders,
           -- A membership test rather than a join: no buyer ids carried into the grouping.
           count(*) filter (
               exists (select 1 from single_order_buyers as n where n.platform_id = t.platform_id and n.buyer_id = t.buyer_id)
           ) as newcomer_orders
    from stg_transactions as t
    group by all
),

windowed as (
    select *,
           sum(orders) over recent_days as window_orders,
           sum(newcomer_orders) over recent_days as window_newcomer_orders,
           sum(newcomer_orders) over whole_shop / sum(orders) over whole_shop as newcomer_share
    from daily
    window
        -- A day offset rather than an interval: date arithmetic without casting every day to a timestamp.
        recent_days as (
            partition by platform_id, merchant_id order by order_day
            range between cast($newcomer_window_days as integer) - 1 preceding and current row
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
    -- Of windows with the same excess, the earliest is the peak.
    select platform_id, merchant_id,
           max(window_excess) as newcomer_peak_excess,
           arg_max(window_newcomer_orders, (window_excess, -epoch(order_day))) as newcomer_peak_orders,
           arg_max(window_orders, (window_excess, -epoch(order_day))) as newcomer_peak_window_orders,
           any_value(newcomer_share) as newcomer_share,
           count(*) as active_days
    from scored_windows
    group by all
),

final as (
    select s.*,
           coalesce(b.burst_order_count, 0) as burst_order_count,
           coalesce(n.newcomer_peak_excess, 0) as newcomer_peak_excess,
           coalesce(n.newcomer_peak_orders, 0) as newcomer_peak_orders,
           coalesce(n.newcomer_peak_window_orders, 0) as newcomer_peak_window_orders,
           coalesce(n.newcomer_share, 0) as newcomer_share,
           coalesce(n.active_days, 0) as active_days
    from per_shop as s
    left join shop_bursts as b using (platform_id, merchant_id)
    left join newcomer_peaks as n using (platform_id, merchant_id)
)

select * from final
