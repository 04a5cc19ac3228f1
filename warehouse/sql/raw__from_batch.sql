-- Publish a load's raw rows into the raw table in one statement.
insert into {table} by name
select *
from {batch_table}
