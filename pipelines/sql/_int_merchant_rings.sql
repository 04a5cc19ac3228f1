-- Per shop in any ring: how many rings, their orders and the share of the shop's orders they make.
create or replace table _int_merchant_rings as
with ring_orders as (
    select s.ring_key, s.shop_key, s.platform_id, s.merchant_id, s.order_id, s.buyer_id
    from _int_ring_order_sets as s
    semi join _int_ring_ids as i using (ring_key)
),

per_shop as (
    select
        r.shop_key,
        r.platform_id,
        r.merchant_id,
        count(distinct r.ring_key) as ring_count,
        count(distinct r.order_id) as ring_order_count,
        count(distinct r.buyer_id) as ring_buyer_count
    from ring_orders as r
    group by all
),

final as (
    select
        p.platform_id,
        p.merchant_id,
        p.ring_count,
        p.ring_order_count,
        p.ring_order_count / s.order_count as ring_order_share,
        p.ring_buyer_count
    from per_shop as p
    inner join _int_ring_shops as s using (shop_key)
)

select * from final
order by platform_id, merchant_id
