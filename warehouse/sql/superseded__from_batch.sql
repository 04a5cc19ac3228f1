-- Keep what a re-delivery replaces: the staged rows whose keys this load delivers again.
insert into {table} by name
select
    stg.*,
    $load_id as _superseded_by_load_id
from {stg_table} as stg
semi join {batch_table} as checked on {key_match}
