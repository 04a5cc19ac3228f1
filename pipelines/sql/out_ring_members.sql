-- Every account and shop of every ring this run found, with its orders inside the ring.
create or replace table out_ring_members as
with ring_orders as (
    select i.ring_id, s.platform_id, s.buyer_id, s.merchant_id
    from _int_ring_order_sets as s
    inner join _int_ring_ids as i using (ring_key)
),

buyers as (
    select r.ring_id, r.platform_id, 'buyer' as member_type, r.buyer_id as member_id, count(*) as order_count
    from ring_orders as r
    group by all
),

shops as (
    select r.ring_id, r.platform_id, 'shop' as member_type, r.merchant_id as member_id, count(*) as order_count
    from ring_orders as r
    group by all
),

final as (
    select $run_id as run_id, m.*
    from (select * from buyers union all select * from shops) as m
)

select * from final
order by ring_id, member_type, member_id
