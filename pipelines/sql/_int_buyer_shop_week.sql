-- Edges of the dense-subgraph graph: account × (shop, period) cells with the column's account count.
-- Only accounts that ordered from at least two shops can tie shops together, so the others are left
-- out; the column count still includes them, because it measures how popular the shop was that week.
create or replace temp table _int_buyer_shop_week as
with orders as (
    select
        o.platform_id,
        o.buyer_key,
        o.shop_key,
        (o.ordered_s // (86400 * $column_period_days)) as period_index
    from _int_ring_orders as o
),

cells as (
    select c.platform_id, c.buyer_key, c.shop_key, c.period_index, count(*) as order_count
    from orders as c
    group by all
),

column_sizes as (
    select c.platform_id, c.shop_key, c.period_index, count(*) as column_buyer_count
    from cells as c
    group by all
),

multi_shop_buyers as (
    select c.platform_id, c.buyer_key
    from cells as c
    group by all
    having min(c.shop_key) <> max(c.shop_key)
),

final as (
    select c.platform_id, c.buyer_key, c.shop_key, c.period_index, s.column_buyer_count
    from cells as c
    inner join column_sizes as s using (platform_id, shop_key, period_index)
    semi join multi_shop_buyers as m using (platform_id, buyer_key)
)

select * from final
