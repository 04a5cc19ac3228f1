-- When DuckDB set CSV records aside, the ordinality of the kept ones skips them: shift each
-- kept row's line past the rejected records before it (an as-of join on the gaps).
update {part_table} as raw
set _source_line = raw._source_line + shifted.skipped
from (
    with rejected as (
        select
            rej.line,
            row_number() over (order by rej.line) as skipped
        from (select distinct line from _int_csv_rejects) as rej
    ),

    gaps as (
        select
            rejected.line - 1 - rejected.skipped as kept_before,
            max(rejected.skipped) as skipped
        from rejected
        group by rejected.line - 1 - rejected.skipped
    ),

    kept as (
        select r._source_line
        from {part_table} as r
        where r._load_id = $load_id and r._source_file = $source_file
    )

    select
        kept._source_line as old_line,
        gaps.skipped
    from kept
    asof inner join gaps on kept._source_line - 1 > gaps.kept_before
) as shifted
where raw._load_id = $load_id
    and raw._source_file = $source_file
    and raw._source_line = shifted.old_line
