-- Accounts tied by a device or delivery address another account of the platform also used: the
-- edges from which linked-account groups are grown. Ids used by more than $max_accounts_per_identity
-- accounts (pickup points, a blank fingerprint) tie strangers together and are left out.
create or replace temp table _int_shared_identity_links as
with identities as (
    select o.platform_id, o.buyer_key, 'device' as identity_kind, o.device_key as identity_key
    from _int_ring_orders as o
    where o.device_key is not null
    union all
    select o.platform_id, o.buyer_key, 'address', o.address_key
    from _int_ring_orders as o
    where o.address_key is not null
),

links as (
    select distinct i.platform_id, i.buyer_key, i.identity_kind, i.identity_key
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
