-- Publish a load's quarantined rows into the quarantine table in one statement.
insert into {table} by name
select *
from {batch_table}
