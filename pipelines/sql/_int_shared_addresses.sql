-- Delivery addresses shared by several buyer accounts of one platform.
create or replace table _int_shared_addresses as
with accounts as (
    select distinct platform_id, address_hash, buyer_id
    from stg_transactions
    where address_hash is not null
)

select platform_id, address_hash, count(*) as account_count
from accounts
group by all
having count(*) >= $shared_accounts
