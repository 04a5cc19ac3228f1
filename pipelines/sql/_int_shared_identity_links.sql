-- Accounts tied by a device or delivery address another account of the platform also used: the
-- edges from which linked-account groups are grown. Ids used by more than $max_accounts_per_identity
-- accounts (pickup points, a blank fingerprint) tie strangers together and are left out.
create or replace temp table _int_shared_identity_links as
with account_identities as (
    select distinct o.buyer_key, o.device_key, o.address_key
    from _int_ring_orders as o
),

identities as (
    select a.buyer_key, 'device' as identity_kind, a.device_key as identity_key
    from account_identities as a
    where a.device_key is not null
    union all
    select a.buyer_key, 'address', a.address_key
    from account_identities as a
    where a.address_key is not null
),

links as (
    select distinct i.buyer_key, i.identity_kind, i.identity_key
    from identities as i
),

shared as (
    select l.identity_kind, l.identity_key
    from links as l
    group by all
    having count(*) between 2 and $max_accounts_per_identity
),

final as (
    select l.*
    from links as l
    semi join shared as s using (identity_kind, identity_key)
)

select * from final
