-- Devices used by several buyer accounts of one platform (device farms, or a family phone at the threshold).
create or replace table _int_shared_devices as
with accounts as (
    select distinct platform_id, device_hash, buyer_id
    from stg_transactions
    where device_hash is not null
)

select platform_id, device_hash, count(*) as account_count
from accounts
group by all
having count(*) >= $shared_accounts
