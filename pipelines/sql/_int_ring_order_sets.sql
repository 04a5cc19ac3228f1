-- The orders that make each candidate ring: its accounts' orders at its shops within its span,
-- with the ids and hashes the ring tables show (read back from the staged row).
create or replace temp table _int_ring_order_sets as
with ring_buyers as (
    select m.ring_key, m.member_key as buyer_key
    from _int_ring_candidate_members as m
    where m.member_type = 'buyer'
),

ring_shops as (
    select m.ring_key, m.member_key as shop_key
    from _int_ring_candidate_members as m
    where m.member_type = 'shop'
),

in_ring as (
    select b.ring_key, o.order_key, o.buyer_key, o.shop_key
    from _int_ring_orders as o
    inner join ring_buyers as b using (buyer_key)
    inner join ring_shops as s on s.ring_key = b.ring_key and s.shop_key = o.shop_key
    inner join _int_ring_candidates as c on c.ring_key = b.ring_key
    where o.ordered_s between c.start_s and c.end_s
),

final as (
    select
        i.ring_key,
        i.buyer_key,
        i.shop_key,
        t.platform_id,
        t.order_id,
        t.buyer_id,
        t.merchant_id,
        t.ordered_at,
        t.device_hash,
        t.address_hash
    from in_ring as i
    inner join stg_transactions as t on t.rowid = i.order_key
)

select * from final
