-- One row per merchant: its profile and every feature the scores read, with the run id.
create or replace table out_merchant_features as
with merchants as (
    select platform_id, merchant_id, shop_name, credit_code, main_category, region, opened_on
    from stg_merchants
),

final as (
    select
        $run_id as run_id,
        m.*,
        coalesce(o.order_count, 0) as order_count,
        coalesce(o.gmv_cny, 0) as gmv_cny,
        o.* exclude (platform_id, merchant_id, order_count, gmv_cny),
        b.* exclude (platform_id, merchant_id),
        coalesce(c.complaint_count, 0) as complaint_count,
        c.* exclude (platform_id, merchant_id, complaint_count),
        l.* exclude (platform_id, merchant_id),
        coalesce(r.ring_count, 0) as ring_count,
        coalesce(r.ring_order_count, 0) as ring_order_count,
        coalesce(r.ring_order_share, 0) as ring_order_share,
        coalesce(r.ring_buyer_count, 0) as ring_buyer_count
    from merchants as m
    left join _int_merchant_orders as o using (platform_id, merchant_id)
    left join _int_merchant_bursts as b using (platform_id, merchant_id)
    left join _int_merchant_complaints as c using (platform_id, merchant_id)
    left join _int_merchant_licences as l using (platform_id, merchant_id)
    left join _int_merchant_rings as r using (platform_id, merchant_id)
)

select * from final
