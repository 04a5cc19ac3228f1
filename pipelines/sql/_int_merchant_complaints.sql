-- Per-shop complaint features from out_complaints (given or matched merchant, given or predicted category).
create or replace table _int_merchant_complaints as
with complaints as (
    select *
    from out_complaints
    where merchant_id is not null and match_confidence >= $min_match_confidence
),

repeaters as (
    select platform_id, merchant_id, sum(n) as repeat_complaint_count
    from (
        select platform_id, merchant_id, complainant_key, count(*) as n
        from complaints
        where complainant_key is not null
        group by all
    )
    where n >= 2
    group by all
),

final as (
    select
        c.platform_id,
        c.merchant_id,
        count(*) as complaint_count,
        count(*) filter (c.received_at >= $as_of - interval 30 day) as complaint_count_30d,
        count(*) filter (c.category in ('false_advertising', 'counterfeit', 'fraud', 'non_delivery'))
            as fraud_complaint_count,
        count(*) filter (c.category in ('after_sales', 'refund_refused')) as service_complaint_count,
        count(*) filter (c.received_at < $as_of - to_days(cast($late_response_days as integer)))
            as answerable_count,
        count(*) filter (
            c.received_at < $as_of - to_days(cast($late_response_days as integer))
            and (c.first_response_at is null
                 or c.first_response_at > c.received_at + to_days(cast($late_response_days as integer)))
        ) as late_response_count,
        count(*) filter (c.received_at < $as_of - to_days(cast($open_too_long_days as integer)))
            as old_complaint_count,
        count(*) filter (
            c.status = 'closed_unresolved'
            or (c.status in ('open', 'in_progress')
                and c.received_at < $as_of - to_days(cast($open_too_long_days as integer)))
        ) as unresolved_count,
        count(*) filter (c.status = 'resolved') as resolved_count,
        median(epoch(c.first_response_at - c.received_at) / 3600) as first_response_p50_hours,
        count(c.first_response_at) as responded_count,
        coalesce(any_value(r.repeat_complaint_count), 0) as repeat_complaint_count
    from complaints as c
    left join repeaters as r using (platform_id, merchant_id)
    group by all
)

select * from final
