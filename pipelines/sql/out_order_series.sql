-- Orders, GMV, refund requests and refusals per day by platform, category and the shop's region.
create or replace table out_order_series as
with orders as (
    select t.*, m.region
    from stg_transactions as t
    left join stg_merchants as m using (platform_id, merchant_id)
),

final as (
    select
        $run_id as run_id,
        ordered_at::date as day,
        date_trunc('week', ordered_at)::date as week,
        platform_id,
        coalesce(category, '') as category,
        coalesce(region, '') as region,
        count(*) as order_count,
        sum(amount) as gmv_cny,
        count(*) filter (refund_reason is not null) as refund_request_count,
        count(*) filter (refund_reason = 'no_reason_7day') as no_reason_return_count,
        count(*) filter (refund_outcome = 'rejected') as refund_rejected_count
    from orders
    group by all
)

select * from final order by day, platform_id, category, region
