-- Whether any key may repeat in a staged table: rows minus distinct key hashes (zero proves
-- the keys unique, so the exact check, unique_key.sql, is only run when this is above zero).
select count(*) - count(distinct hash({key_columns})) as possible_repeats
from {stg_table}
