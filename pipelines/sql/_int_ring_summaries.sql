-- One row per candidate ring: its size, span and shared devices and addresses, counted on its orders.
-- density is the share of the ring's account × shop pairs that have an order (1 = every account
-- ordered from every shop); a device or address is shared when two or more ring accounts used it.
create or replace temp table _int_ring_summaries as
with orders as (
    select s.*
    from _int_ring_order_sets as s
),

per_ring as (
    select
        o.ring_key,
        count(distinct o.buyer_key) as buyer_count,
        count(distinct o.shop_key) as shop_count,
        count(*) as order_count,
        count(distinct (o.buyer_key, o.shop_key)) as pair_count,
        min(o.ordered_at) as start_at,
        max(o.ordered_at) as end_at
    from orders as o
    group by o.ring_key
),

shared_devices as (
    select o.ring_key, o.device_hash
    from orders as o
    where o.device_hash is not null
    group by all
    having count(distinct o.buyer_key) >= 2
),

shared_addresses as (
    select o.ring_key, o.address_hash
    from orders as o
    where o.address_hash is not null
    group by all
    having count(distinct o.buyer_key) >= 2
),

device_counts as (
    select d.ring_key, count(*) as shared_device_count
    from shared_devices as d
    group by d.ring_key
),

address_counts as (
    select a.ring_key, count(*) as shared_address_count
    from shared_addresses as a
    group by a.ring_key
),

final as (
    select
        p.ring_key,
        p.buyer_count,
        p.shop_count,
        p.order_count,
        p.pair_count,
        p.start_at,
        p.end_at,
        p.pair_count / (p.buyer_count * p.shop_count) as density,
        coalesce(d.shared_device_count, 0) as shared_device_count,
        coalesce(a.shared_address_count, 0) as shared_address_count
    from per_ring as p
    left join device_counts as d using (ring_key)
    left join address_counts as a using (ring_key)
)

select * from final
