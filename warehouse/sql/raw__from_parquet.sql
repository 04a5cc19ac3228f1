-- Append one Parquet file to its raw table, every value cast to text as it came.
insert into {raw_table} by name
select
    {source_columns},
    $load_id as _load_id,
    $source_file as _source_file,
    src.file_row_number + 1 as _source_line
from read_parquet($read_path, file_row_number = true) as src
