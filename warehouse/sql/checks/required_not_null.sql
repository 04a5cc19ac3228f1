-- Staged rows missing a value the contract requires.
select {key_columns}
from {stg_table}
where {any_required_missing}
