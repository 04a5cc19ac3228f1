-- Rows whose credit code is missing or fails the GB 32100 check digit: a finding, not an error.
select {key_columns}
from {stg_table}
where not is_credit_code_valid
