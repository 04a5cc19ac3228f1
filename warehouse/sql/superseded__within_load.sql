-- Keep what a later file of the same load replaces: its batch rows whose keys this file delivers again.
insert into {table} by name
select
    stg.*,
    $load_id as _superseded_by_load_id
from {stg_table} as stg
semi join _int_checked as checked on len(checked.reasons) = 0 and {key_match}
