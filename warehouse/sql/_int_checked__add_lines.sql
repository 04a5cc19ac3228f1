-- The line of each row of a CSV file checked in one pass: the header is line 1, the n-th
-- record line n + 1, and the n-th record has the n-th row id of the freshly filled table
-- (ids of a table filled inside an open transaction start at a large offset, hence the min).
alter table _int_checked add column _source_line bigint;

update _int_checked
set _source_line = _int_checked.rowid - (select min(first_row.rowid) from _int_checked as first_row) + 2
