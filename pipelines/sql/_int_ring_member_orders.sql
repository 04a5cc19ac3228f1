-- Each candidate ring's accounts' orders at its candidate shops within the ring's span. A view:
-- the shop test and the ring summaries read it at different stages of the candidates.
create or replace temp view _int_ring_member_orders as
with ring_buyers as (
    select m.ring_key, m.member_key as buyer_key
    from _int_ring_candidate_members as m
    where m.member_type = 'buyer'
),

ring_shops as (
    select m.ring_key, m.member_key as shop_key
    from _int_ring_candidate_members as m
    where m.member_type = 'shop'
)

select b.ring_key, o.order_key, o.buyer_key, o.shop_key, o.ordered_s
from _int_ring_orders as o
inner join ring_buyers as b using (buyer_key)
inner join ring_shops as s on s.ring_key = b.ring_key and s.shop_key = o.shop_key
inner join _int_ring_candidates as c on c.ring_key = b.ring_key
where o.ordered_s between c.start_s and c.end_s
