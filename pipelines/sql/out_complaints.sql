-- out_complaints: one row per staged complaint, with the merchant it is about (given or
-- matched by shop name), its category (given or predicted) and a complainant key instead of
-- the consumer's name and phone. _int_complaint_text holds the stage's per-complaint results.
create or replace table out_complaints as
with

source as (
    select * from stg_complaints
),

text_results as (
    select * from _int_complaint_text
),

final as (
    select
        cast($run_id as varchar) as run_id,
        source.complaint_id,
        source.received_at,
        source.channel,
        cast(text_results.platform_id as varchar) as platform_id,
        cast(text_results.merchant_id as varchar) as merchant_id,
        cast(text_results.match_method as varchar) as match_method,
        cast(text_results.match_confidence as double) as match_confidence,
        cast(text_results.category as varchar) as category,
        cast(text_results.category_source as varchar) as category_source,
        cast(text_results.category_confidence as double) as category_confidence,
        source.status,
        source.first_response_at,
        source.closed_at,
        source.outcome,
        source.resolution_channel,
        source.amount_involved,
        cast(text_results.complainant_key as varchar) as complainant_key
    from source
    inner join text_results on source.complaint_id = text_results.complaint_id
)

select * from final
order by complaint_id
