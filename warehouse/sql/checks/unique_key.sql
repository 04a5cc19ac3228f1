-- Keys that occur more than once in a staged table (staging keeps one row per key).
select
    {key_columns},
    count(*) as row_count
from {stg_table}
group by {key_columns}
having count(*) > 1
