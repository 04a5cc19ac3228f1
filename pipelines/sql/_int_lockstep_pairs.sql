-- Account pairs in lockstep (CopyCatch-style): both ordered from the same shop within the window, at
-- $lockstep_min_shared_shops or more distinct shops. One row per qualifying pair and shared shop.
-- Orders fall in window-long buckets, so a pair within the window sits in one bucket or two adjacent
-- ones. Only bursts count: two adjacent buckets of a shop with at least $min_ring_buyers orders and
-- at least $lockstep_min_burst_ratio times what the shop's other buckets (first to last) average for
-- two, but no more than $lockstep_max_window_orders (co-buying where hundreds buy at once is no
-- evidence). A campaign makes such bursts, steady traffic does not, and the self-join stays small.
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

buckets as (
    select o.shop_key, o.bucket, count(*) as order_count
    from orders as o
    group by all
),

shop_totals as (
    select b.shop_key, sum(b.order_count) as order_count, max(b.bucket) - min(b.bucket) + 1 as bucket_count
    from buckets as b
    group by b.shop_key
),

spans as (
    select b.shop_key, b.bucket, b.order_count + coalesce(n.order_count, 0) as order_count
    from buckets as b
    left join buckets as n on n.shop_key = b.shop_key and n.bucket = b.bucket + 1
),

burst_spans as (
    select s.shop_key, s.bucket
    from spans as s
    inner join shop_totals as t using (shop_key)
    where s.order_count >= $min_ring_buyers
        and s.order_count <= $lockstep_max_window_orders
        and s.order_count
            >= $lockstep_min_burst_ratio * 2 * (t.order_count - s.order_count) / greatest(t.bucket_count - 2, 1)
),

burst_buckets as (
    select distinct b.shop_key, b.bucket + d.step as bucket
    from burst_spans as b
    cross join (select unnest([0, 1]) as step) as d
),

in_bursts as (
    select o.*
    from orders as o
    semi join burst_buckets as b using (shop_key, bucket)
),

-- A pair needs bursts at $lockstep_min_shared_shops shops, so each of its accounts does too.
burst_buyers as (
    select i.buyer_key
    from in_bursts as i
    group by i.buyer_key
    having count(distinct i.shop_key) >= $lockstep_min_shared_shops
),

burst_orders as (
    select i.*
    from in_bursts as i
    semi join burst_buyers as b using (buyer_key)
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
