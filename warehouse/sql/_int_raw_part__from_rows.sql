-- Rows read in Python (an XLSX sheet) as they came, every value as text.
create or replace temp table {part_table} as
select
    {source_columns},
    $load_id as _load_id,
    $source_file as _source_file,
    src._source_line
from _int_sheet_rows as src
