-- One record set aside before DuckDB read the file (e.g. a line in another encoding).
insert into _int_rejected_records (_source_line, _raw_record, reason)
values ($source_line, $raw_record, $reason)
