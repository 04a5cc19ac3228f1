-- A CSV part's rows with their line in the file: the header is line 1, the n-th record
-- line n + 1. DuckDB keeps the file's order (preserve_insertion_order), so the n-th record
-- has the n-th row id of the freshly filled table; ids of a table filled inside an open
-- transaction start at a large offset, hence the min. A view when nothing was set aside
-- (no copy of the rows); a table when DuckDB set records aside, so lines can be shifted.
create or replace temp {relation_kind} {part_table} as
select
    csv.*,
    csv.rowid - (select min(first_row.rowid) from {csv_table} as first_row) + 2 as _source_line
from {csv_table} as csv
