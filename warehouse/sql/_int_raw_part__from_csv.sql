-- One CSV file's rows as they came, every value as text. DuckDB sets aside records it
-- cannot split (wrong field count, unterminated quote, bytes that are not UTF-8) in
-- _int_csv_rejects instead of failing. No line numbers here: `with ordinality` would make
-- DuckDB read the file on one thread; _int_raw_part__number_lines.sql derives them from
-- the row order, which DuckDB keeps (preserve_insertion_order).
create or replace temp table {csv_table} as
select
    {source_columns},
    $load_id as _load_id,
    $source_file as _source_file{line_column}
from {csv_read} as src
