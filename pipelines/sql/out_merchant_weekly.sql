-- Each shop's orders per week, for its detail page: sorted by shop so a page reads one
-- shop's rows without scanning the market's orders.
create or replace table out_merchant_weekly as
with final as (
    select
        $run_id as run_id,
        t.platform_id,
        t.merchant_id,
        date_trunc('week', t.ordered_at)::date as week,
        count(*) as order_count,
        sum(t.amount) as gmv_cny,
        count(*) filter (t.refund_reason is not null) as refund_request_count,
        count(*) filter (t.refund_outcome = 'rejected') as refund_rejected_count,
        avg(t.rating) as rating_avg
    from stg_transactions as t
    group by all
)

select * from final order by platform_id, merchant_id, week
