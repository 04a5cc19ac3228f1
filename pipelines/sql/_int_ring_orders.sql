-- Staged orders as integer keys, the input of every ring-detection step (a temp table: one run only).
-- Accounts, shops, devices and addresses are 64-bit hashes of (platform, id): grouping and joining on
-- integers is several times faster than on text at 10M orders, and collisions are negligible at
-- millions of accounts. Ring members are mapped back to their ids at the end.
create or replace temp table _int_ring_orders as
with source as (
    select
        t.rowid as order_key,
        t.platform_id,
        t.merchant_id,
        t.buyer_id,
        t.ordered_at,
        t.device_hash,
        t.address_hash
    from stg_transactions as t
),

keyed as (
    select
        s.order_key,
        s.platform_id,
        hash(s.platform_id, s.buyer_id) as buyer_key,
        hash(s.platform_id, s.merchant_id) as shop_key,
        epoch(s.ordered_at)::bigint as ordered_s,
        case when s.device_hash is not null then hash(s.platform_id, s.device_hash) end
            as device_key,
        case when s.address_hash is not null then hash(s.platform_id, s.address_hash) end
            as address_key
    from source as s
)

select * from keyed
