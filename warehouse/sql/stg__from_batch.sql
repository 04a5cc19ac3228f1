-- Publish a load's staged rows: last load wins, so earlier rows with these keys go first.
delete from {table} as stg
using {batch_table} as checked
where {key_match}
