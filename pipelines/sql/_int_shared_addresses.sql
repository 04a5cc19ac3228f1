-- Delivery addresses shared by several buyer accounts of one platform.
create or replace temp table _int_shared_addresses as
select platform_id, address_hash, count(distinct buyer_id) as account_count
from stg_transactions
where address_hash is not null
group by all
having count(distinct buyer_id) >= $shared_accounts
