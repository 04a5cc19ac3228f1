-- The orders that make each candidate ring: its accounts' orders at its shops within its span,
-- with the ids and hashes the ring tables show (read back from the staged row).
create or replace temp table _int_ring_order_sets as
with in_ring as (
    select ring_key, order_key, buyer_key, shop_key
    from _int_ring_member_orders
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
