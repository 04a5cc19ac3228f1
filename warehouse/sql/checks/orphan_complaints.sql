-- Complaints naming a merchant_id that no staged merchant has (on the named platform, if any).
with merchants as (
    select
        m.platform_id,
        m.merchant_id
    from stg_merchants as m
)

select
    c.complaint_id,
    c.platform_id,
    c.merchant_id
from stg_complaints as c
where c.merchant_id is not null
    and not exists (
        select 1
        from merchants
        where merchants.merchant_id = c.merchant_id
            and (c.platform_id is null or merchants.platform_id = c.platform_id)
    )
