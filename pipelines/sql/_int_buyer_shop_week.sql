-- Edges of the dense-subgraph graph: account × (shop, period) cells with the column's account count.
-- Only accounts that ordered from at least two shops can tie shops together, so the others are left
-- out; the column count still includes them, because it measures how popular the shop was that week.
-- Keys embed the platform, so the platform is not a grouping key (read it from _int_ring_shops).
create or replace temp table _int_buyer_shop_week as
with orders as (
    select o.buyer_key, o.shop_key, o.ordered_s // (86400 * $column_period_days) as period_index
    from _int_ring_orders as o
),

cells as (
    select c.buyer_key, c.shop_key, c.period_index
    from orders as c
    group by all
),

column_sizes as (
    select c.shop_key, c.period_index, count(*) as column_buyer_count
    from cells as c
    group by all
),

multi_shop_buyers as (
    select c.buyer_key
    from cells as c
    group by c.buyer_key
    having min(c.shop_key) <> max(c.shop_key)
),

final as (
    select c.buyer_key, c.shop_key, c.period_index, s.column_buyer_count
    from cells as c
    inner join column_sizes as s using (shop_key, period_index)
    semi join multi_shop_buyers as m using (buyer_key)
)

select * from final
