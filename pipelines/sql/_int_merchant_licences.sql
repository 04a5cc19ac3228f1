-- Per-shop licence features: the displayed credit code, the business licence, sector permits, scope, shared codes.
create or replace table _int_merchant_licences as
with merchants as (
    select * from stg_merchants
),

business as (
    select credit_code, status, issued_on, expires_on, business_scope
    from stg_licenses
    where license_type = 'business_license'
),

permits as (
    select credit_code, license_type,
           bool_or(status = 'active' and (expires_on is null or expires_on >= $as_of)) as is_active
    from stg_licenses
    group by all
),

shared_codes as (
    select credit_code, count(*) as shop_count
    from merchants
    where credit_code is not null
    group by all
),

scope_hits as (
    select m.platform_id, m.merchant_id, count(k.keyword) as keyword_hits
    from merchants as m
    inner join business as b using (credit_code)
    inner join _int_scope_keywords as k on k.category = m.main_category and contains(b.business_scope, k.keyword)
    group by all
),

final as (
    select
        m.platform_id,
        m.merchant_id,
        m.credit_code is null as is_credit_code_missing,
        m.credit_code is not null and not m.is_credit_code_valid as is_credit_code_invalid,
        m.credit_code is not null and m.is_credit_code_valid and b.credit_code is null as is_unregistered,
        b.status as licence_status,
        coalesce(b.expires_on < $as_of, false) as is_licence_past_expiry,
        date_diff('day', b.issued_on, $as_of) as company_age_days,
        date_diff('day', b.issued_on, coalesce(m.opened_on, $as_of)) as company_age_at_opening_days,
        sp.license_type as required_permit,
        sp.license_type is not null and not coalesce(p.is_active, false) as is_permit_missing,
        b.business_scope is not null
        and m.main_category in (select category from _int_scope_keywords)
        and coalesce(h.keyword_hits, 0) = 0 as is_out_of_scope,
        coalesce(s.shop_count, 0) as shops_sharing_code
    from merchants as m
    left join business as b using (credit_code)
    left join _int_sector_permits as sp on sp.category = m.main_category
    left join permits as p on p.credit_code = m.credit_code and p.license_type = sp.license_type
    left join shared_codes as s using (credit_code)
    left join scope_hits as h using (platform_id, merchant_id)
)

select * from final
