-- What each candidate ring's accounts did at each of its candidate shops within the ring's span:
-- accounts, orders, first and last order, and the shop's orders from anyone between those two
-- (the base of the ring's share). The shop test in rings.py reads these.
create or replace temp table _int_ring_shop_checks as
with member_orders as (
    select ring_key, buyer_key, shop_key, ordered_s
    from _int_ring_member_orders
),

per_shop as (
    select
        m.ring_key,
        m.shop_key,
        count(distinct m.buyer_key) as buyer_count,
        count(*) as order_count,
        min(m.ordered_s) as first_s,
        max(m.ordered_s) as last_s
    from member_orders as m
    group by all
),

shop_orders as (
    select p.ring_key, p.shop_key, count(*) as shop_order_count
    from per_shop as p
    inner join _int_ring_orders as o
        on o.shop_key = p.shop_key and o.ordered_s between p.first_s and p.last_s
    group by all
),

final as (
    select p.*, s.shop_order_count
    from per_shop as p
    inner join shop_orders as s using (ring_key, shop_key)
)

select * from final
