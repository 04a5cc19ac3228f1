-- Devices used by several buyer accounts of one platform (device farms, or a family phone at the threshold).
create or replace temp table _int_shared_devices as
select platform_id, device_hash, count(distinct buyer_id) as account_count
from stg_transactions
where device_hash is not null
group by all
having count(distinct buyer_id) >= $shared_accounts
