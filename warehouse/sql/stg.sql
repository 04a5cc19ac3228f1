-- Stage the good rows of one file: typed, one row per key (the first in the file).
insert into {stg_table} by name
select
    checked.* exclude (reasons{checked_only_columns}),
    {credit_code_flag}
    $load_id as _load_id,
    $source_file as _source_file
from _int_checked as checked
where len(checked.reasons) = 0
