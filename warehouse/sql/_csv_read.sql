-- How every CSV part is read (a fragment for the {csv_read} slot of _int_raw_part__from_csv.sql
-- and _int_checked__from_csv.sql): all text, no sniffing; records DuckDB cannot split land in
-- _int_csv_rejects instead of failing the read.
read_csv(
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
)
