-- DuckDB's own CSV rejects, as records with a reason each. DuckDB reports a short record
-- once per missing column; the first of those carries the true field count.
insert into _int_rejected_records
select
    rej.line as _source_line,
    any_value(rej.csv_line) as _raw_record,
    $reason_prefix || arg_min(rej.error_message, rej.column_idx) as reason
from _int_csv_rejects as rej
group by rej.line, rej.error_type
