-- Publish a load's staged rows into the staged table in one statement.
insert into {table} by name
select *
from {batch_table}
