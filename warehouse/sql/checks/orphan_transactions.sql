-- Orders whose merchant (platform_id, merchant_id) is not among the staged merchants.
with merchants as (
    select
        m.platform_id,
        m.merchant_id
    from stg_merchants as m
)

select
    t.platform_id,
    t.order_id,
    t.merchant_id
from stg_transactions as t
left join merchants
    on t.platform_id = merchants.platform_id
    and t.merchant_id = merchants.merchant_id
where merchants.merchant_id is null
