-- Account pairs in lockstep (CopyCatch-style): both ordered from the same shop within the window, at
-- $lockstep_min_shared_shops or more distinct shops. One row per qualifying pair and shared shop.
-- Only burst windows count: a shop window with at least $min_ring_buyers accounts and at least
-- $lockstep_min_burst_ratio times the shop's mean per window, but no more than
-- $lockstep_max_window_buyers (co-buying where hundreds buy at once is no evidence). A campaign
-- makes such bursts; steady traffic does not, which also keeps the self-join small at 10M orders.
-- A pair within the window sits in the same window-long bucket or in the next one.
create or replace temp table _int_lockstep_pairs as
with orders as (
    select
        o.platform_id,
        o.buyer_key,
        o.shop_key,
        o.ordered_s,
        o.ordered_s // ($lockstep_window_hours * 3600) as bucket
    from _int_ring_orders as o
),

platform_spans as (
    select o.platform_id, max(o.bucket) - min(o.bucket) + 1 as bucket_count
    from orders as o
    group by o.platform_id
),

windows as (
    select o.platform_id, o.shop_key, o.bucket, count(distinct o.buyer_key) as buyer_count
    from orders as o
    group by all
),

shop_means as (
    select w.shop_key, sum(w.buyer_count) / any_value(p.bucket_count) as mean_buyer_count
    from windows as w
    inner join platform_spans as p using (platform_id)
    group by w.shop_key
),

burst_windows as (
    select w.shop_key, w.bucket
    from windows as w
    inner join shop_means as m using (shop_key)
    where w.buyer_count >= $min_ring_buyers
        and w.buyer_count >= $lockstep_min_burst_ratio * m.mean_buyer_count
        and w.buyer_count <= $lockstep_max_window_buyers
),

burst_orders as (
    select o.*
    from orders as o
    semi join burst_windows as b using (shop_key, bucket)
),

co_orders as (
    select
        a.platform_id,
        a.buyer_key as buyer_1,
        b.buyer_key as buyer_2,
        a.shop_key,
        a.ordered_s as at_1,
        b.ordered_s as at_2
    from burst_orders as a
    inner join burst_orders as b on a.shop_key = b.shop_key and a.bucket = b.bucket
    where a.buyer_key < b.buyer_key
    union all
    select a.platform_id, a.buyer_key, b.buyer_key, a.shop_key, a.ordered_s, b.ordered_s
    from burst_orders as a
    inner join burst_orders as b on a.shop_key = b.shop_key and a.bucket + 1 = b.bucket
    where a.buyer_key <> b.buyer_key
),

pair_shops as (
    select
        c.platform_id,
        least(c.buyer_1, c.buyer_2) as buyer_a,
        greatest(c.buyer_1, c.buyer_2) as buyer_b,
        c.shop_key,
        min(least(c.at_1, c.at_2)) as first_s,
        max(greatest(c.at_1, c.at_2)) as last_s
    from co_orders as c
    where abs(c.at_2 - c.at_1) <= $lockstep_window_hours * 3600
    group by all
),

lockstep as (
    select p.buyer_a, p.buyer_b
    from pair_shops as p
    group by p.buyer_a, p.buyer_b
    having count(*) >= $lockstep_min_shared_shops
),

final as (
    select p.*
    from pair_shops as p
    semi join lockstep as l using (buyer_a, buyer_b)
)

select * from final
