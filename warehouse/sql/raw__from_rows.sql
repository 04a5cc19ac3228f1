-- Append rows read in Python (an XLSX sheet) to the raw table, every value as text.
insert into {raw_table} by name
select
    {source_columns},
    $load_id as _load_id,
    $source_file as _source_file,
    src._source_line
from _int_sheet_rows as src
