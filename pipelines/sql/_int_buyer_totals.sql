-- Orders per buyer account on its platform (an account with one order exists for that order).
create or replace temp table _int_buyer_totals as
select platform_id, buyer_id, count(*) as orders_anywhere
from stg_transactions
group by all
