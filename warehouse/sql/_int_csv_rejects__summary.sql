-- What DuckDB set aside while reading one CSV file: all records, and those whose bytes are not UTF-8.
select
    count(*) as rejected,
    count(*) filter (where rej.error_type = $encoding_error) as bad_encoding
from _int_csv_rejects as rej
