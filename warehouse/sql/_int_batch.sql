-- A load's in-memory batch for one layer table: same columns, filled file by file and
-- appended to the real table in one statement at the end (one write, no partial row groups).
create temp table if not exists {batch_table} as
select *
from {table}
limit 0
