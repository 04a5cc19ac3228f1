-- Quarantine the bad rows of one file: the raw values as they came, and every reason.
insert into {quarantine_table} by name
select
    raw.*,
    checked.reasons
from {part_table} as raw
inner join _int_checked as checked on raw._source_line = checked._source_line
where raw._load_id = $load_id
    and raw._source_file = $source_file
    and len(checked.reasons) > 0
