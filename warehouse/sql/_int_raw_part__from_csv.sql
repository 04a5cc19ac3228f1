-- One CSV file's rows as they came, every value as text. DuckDB sets aside records it
-- cannot split (wrong field count, unterminated quote) in _int_csv_rejects instead of failing.
create or replace temp table {part_table} as
select
    {source_columns},
    $load_id as _load_id,
    $source_file as _source_file,
    {line_expression} as _source_line
from read_csv(
    $read_path,
    auto_detect = false,
    header = true,
    delim = ',',
    quote = '"',
    escape = '"',
    columns = $csv_columns,
    max_line_size = 16777216,
    store_rejects = true,
    rejects_table = '_int_csv_rejects',
    rejects_scan = '_int_csv_scans'
) with ordinality as src
