-- Each ring's buyer → shop links with their orders inside the ring, for drawing the ring:
-- precomputed so a shop's page never scans the market's orders.
create or replace table out_ring_edges as
with ring_orders as (
    select i.ring_id, s.platform_id, s.buyer_id, s.merchant_id
    from _int_ring_order_sets as s
    inner join _int_ring_ids as i using (ring_key)
),

final as (
    select $run_id as run_id, r.ring_id, r.platform_id, r.buyer_id, r.merchant_id, count(*) as order_count
    from ring_orders as r
    group by all
)

select * from final
order by platform_id, ring_id, buyer_id, merchant_id
