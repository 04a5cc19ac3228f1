-- A key seen again after its first good row in the same file is a duplicate: the first is
-- kept, the others get "duplicate key within file, first kept at line N". An aggregate over
-- the keys, then an update of the (few) repeated rows only.
update _int_checked as checked
set reasons = list_append(checked.reasons, $duplicate_reason || repeated_keys.first_kept_line)
from (
    select
        {key_columns},
        min(checked._source_line) filter (where len(checked.reasons) = 0) as first_kept_line
    from _int_checked as checked
    group by {key_columns}
    having count(*) > 1
) as repeated_keys
where {key_match}
    and repeated_keys.first_kept_line < checked._source_line
