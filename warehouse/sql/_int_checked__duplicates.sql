-- A key seen again after its first good row in the same file is a duplicate: the first is
-- kept, the others get "duplicate key within file, first kept at line N". Only the (few)
-- repeated rows are updated (_int_repeated_keys.sql).
update _int_checked as checked
set reasons = list_append(checked.reasons, $duplicate_reason || repeated_keys.first_kept_line)
from _int_repeated_keys as repeated_keys
where {key_match}
    and repeated_keys.first_kept_line < checked._source_line
