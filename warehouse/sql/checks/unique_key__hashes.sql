-- Whether any key may repeat in a staged table: rows minus distinct key hashes. Zero proves
-- the keys unique (equal keys hash alike), so the exact check, unique_key.sql, runs only when
-- this is above zero (a repeat or, rarely, two keys sharing a hash). The loader asks the same
-- of each file's checked rows (_int_checked) before looking for repeated keys.
select count(*) - count(distinct hash({key_columns})) as possible_repeats
from {stg_table}
