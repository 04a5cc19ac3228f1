-- Complaints per day by category, platform and the shop's region (unmatched complaints under an empty region).
create or replace table out_complaint_series as
with complaints as (
    select c.*, m.region, m.main_category
    from out_complaints as c
    left join stg_merchants as m using (platform_id, merchant_id)
),

final as (
    select
        $run_id as run_id,
        received_at::date as day,
        date_trunc('week', received_at)::date as week,
        coalesce(category, 'unclassified') as category,
        coalesce(platform_id, '') as platform_id,
        coalesce(region, '') as region,
        coalesce(main_category, '') as merchant_category,
        count(*) as complaint_count,
        count(*) filter (status = 'resolved') as resolved_count,
        sum(amount_involved) as amount_involved_cny
    from complaints
    group by all
)

select * from final order by day, category, platform_id, region
