-- What each linked-account group did at each shop where at least $min_ring_buyers of its accounts
-- ordered: accounts, orders, when, and the shop's orders from anyone while the group was active on
-- the platform (its first to last order anywhere), the base of the group's share of the shop.
create or replace temp table _int_identity_group_shops as
with group_orders as (
    select g.group_key, o.platform_id, o.buyer_key, o.shop_key, o.ordered_s
    from _int_ring_orders as o
    inner join _int_identity_groups as g using (buyer_key)
),

group_spans as (
    select g.group_key, min(g.ordered_s) as active_from_s, max(g.ordered_s) as active_to_s
    from group_orders as g
    group by g.group_key
),

per_shop as (
    select
        g.group_key,
        g.platform_id,
        g.shop_key,
        count(distinct g.buyer_key) as buyer_count,
        count(*) as order_count,
        min(g.ordered_s) as first_s,
        max(g.ordered_s) as last_s
    from group_orders as g
    group by all
    having count(distinct g.buyer_key) >= $min_ring_buyers
),

shop_orders as (
    select p.group_key, p.shop_key, count(*) as shop_order_count
    from per_shop as p
    inner join group_spans as s using (group_key)
    inner join _int_ring_orders as o
        on o.shop_key = p.shop_key and o.ordered_s between s.active_from_s and s.active_to_s
    group by all
),

final as (
    select p.*, s.shop_order_count
    from per_shop as p
    inner join shop_orders as s using (group_key, shop_key)
)

select * from final
