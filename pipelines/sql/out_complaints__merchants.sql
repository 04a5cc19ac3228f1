-- The shops a complaint's shop name can be matched to.
select
    merchants.platform_id,
    merchants.merchant_id,
    merchants.shop_name
from stg_merchants as merchants
order by merchants.platform_id, merchants.merchant_id
