-- Whether any key may repeat in one file's checked rows: rows minus distinct key hashes.
-- Zero proves every key is distinct (equal keys hash alike) and is what a clean file gives;
-- above zero (a repeat or, rarely, two keys sharing a hash) the exact aggregate decides
-- (_int_repeated_keys.sql). Hashing the keys is cheaper than grouping their text.
select count(*) - count(distinct hash({key_columns})) as possible_repeats
from _int_checked as checked
