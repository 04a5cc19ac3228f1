-- Quarantine the bad rows of a CSV file checked in one pass: the values as they came (kept
-- with the checked row as a list, in source column order) and every reason.
insert into {quarantine_table} by name
select
    $load_id as _load_id,
    $source_file as _source_file,
    checked._source_line,
    checked.reasons,
    {raw_columns}
from _int_checked as checked
where len(checked.reasons) > 0
