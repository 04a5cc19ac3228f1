-- One Parquet file's rows as they came, in the file's own types: checks read typed values
-- without a round trip through text.
create or replace temp table {part_table} as
select
    {source_columns},
    $load_id as _load_id,
    $source_file as _source_file,
    src.file_row_number + 1 as _source_line
from read_parquet($read_path, file_row_number = true) as src
