-- Every shop with orders, by key: its platform and order count (the base of ring_order_share).
create or replace temp table _int_ring_shops as
with orders as (
    select o.shop_key, o.platform_id
    from _int_ring_orders as o
),

final as (
    select o.shop_key, any_value(o.platform_id) as platform_id, count(*) as order_count
    from orders as o
    group by o.shop_key
)

select * from final
