-- The shops where at least $min_ring_buyers accounts of a linked-account group ordered, with the
-- group's active span (its first to last order anywhere): the group's candidate ring.
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
    select g.group_key, g.platform_id, g.shop_key, count(distinct g.buyer_key) as buyer_count
    from group_orders as g
    group by all
    having count(distinct g.buyer_key) >= $min_ring_buyers
),

final as (
    select p.*, s.active_from_s, s.active_to_s
    from per_shop as p
    inner join group_spans as s using (group_key)
)

select * from final
