-- Staged rows holding a value outside a closed list of the contract.
select {key_columns}
from {stg_table}
where {any_not_allowed}
