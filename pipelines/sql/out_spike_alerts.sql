-- Weeks in which a platform's complaints of one category jump far above their trailing level.
create or replace table out_spike_alerts as
with weekly as (
    select platform_id, category, week, sum(complaint_count) as complaint_count
    from out_complaint_series
    where platform_id <> ''
    group by all
),

calendar as (
    select distinct week from weekly
),

filled as (
    select k.platform_id, k.category, c.week, coalesce(w.complaint_count, 0) as complaint_count
    from (select distinct platform_id, category from weekly) as k
    cross join calendar as c
    left join weekly as w using (platform_id, category, week)
),

baselines as (
    select
        *,
        avg(complaint_count) over previous_weeks as baseline_mean,
        stddev_samp(complaint_count) over previous_weeks as baseline_sd,
        count(*) over previous_weeks as baseline_weeks
    from filled
    window previous_weeks as (
        partition by platform_id, category order by week
        rows between cast($baseline_weeks as integer) preceding and 1 preceding
    )
),

final as (
    select
        $run_id as run_id,
        platform_id,
        category,
        week,
        complaint_count,
        round(baseline_mean, 2) as baseline_mean,
        round((complaint_count - baseline_mean) / greatest(baseline_sd, sqrt(greatest(baseline_mean, 1))), 2)
            as spike_z
    from baselines
    where baseline_weeks >= cast($min_baseline_weeks as integer)
      and complaint_count >= cast($min_count as integer)
      and complaint_count > baseline_mean
        + $spike_z * greatest(baseline_sd, sqrt(greatest(baseline_mean, 1)))
)

select * from final order by week desc, spike_z desc
