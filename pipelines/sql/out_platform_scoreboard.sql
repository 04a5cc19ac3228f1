-- Per platform, the 12315 disclosure metrics and the share of high-risk shops, for the current run.
create or replace table out_platform_scoreboard as
with complaints as (
    select * from out_complaints where platform_id is not null
),

recent as (
    select
        platform_id,
        count(*) filter (received_at >= $as_of - interval 30 day) as complaints_30d,
        count(*) filter (received_at >= $as_of - interval 60 day and received_at < $as_of - interval 30 day)
            as complaints_prev_30d
    from complaints
    group by all
),

handling as (
    select
        platform_id,
        count(*) as complaint_count,
        count(*) filter (resolution_channel = 'mediation') as mediated_count,
        count(*) filter (resolution_channel = 'mediation' and status = 'resolved') as mediated_resolved_count,
        count(*) filter (status in ('resolved', 'closed_unresolved', 'withdrawn')) as closed_count,
        count(*) filter (status = 'resolved' and resolution_channel in ('negotiation', 'platform')) as settled_count,
        median(epoch(first_response_at - received_at) / 3600) as first_response_p50_hours
    from complaints
    group by all
),

shops as (
    select
        platform_id,
        count(*) as merchant_count,
        count(*) filter (risk_level = 'high') as high_risk_count,
        count(*) filter (risk_level in ('high', 'medium')) as elevated_risk_count,
        sum(gmv_cny) as gmv_cny,
        sum(gmv_cny) filter (risk_level = 'high') as high_risk_gmv_cny,
        sum(order_count) as order_count
    from out_merchant_risk
    group by all
),

final as (
    select
        $run_id as run_id,
        s.platform_id,
        p.platform_name,
        s.merchant_count,
        s.high_risk_count,
        s.high_risk_count / s.merchant_count as high_risk_share,
        s.elevated_risk_count,
        s.order_count,
        s.gmv_cny,
        coalesce(s.high_risk_gmv_cny, 0) as high_risk_gmv_cny,
        coalesce(h.complaint_count, 0) as complaint_count,
        1000 * coalesce(h.complaint_count, 0) / nullif(s.order_count, 0) as complaints_per_1000_orders,
        coalesce(r.complaints_30d, 0) as complaints_30d,
        (r.complaints_30d - r.complaints_prev_30d) / nullif(r.complaints_prev_30d, 0) as complaint_growth,
        h.mediated_resolved_count / nullif(h.mediated_count, 0) as mediation_success_rate,
        h.settled_count / nullif(h.closed_count, 0) as settlement_rate,
        h.first_response_p50_hours
    from shops as s
    left join stg_platforms as p using (platform_id)
    left join handling as h using (platform_id)
    left join recent as r using (platform_id)
)

select * from final order by platform_id
