-- Keys seen more than once in one file's checked rows, with the line of the first good row
-- (the one kept): usually none, and then nothing else has to look at duplicates.
create or replace temp table _int_repeated_keys as
select
    {key_columns},
    min(checked._source_line) filter (where len(checked.reasons) = 0) as first_kept_line
from _int_checked as checked
group by {key_columns}
having count(*) > 1
