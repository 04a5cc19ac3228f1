-- Quarantine the records that could not even be split into fields, with their text and every reason.
insert into {quarantine_table} by name
select
    $load_id as _load_id,
    $source_file as _source_file,
    rec._source_line,
    list(distinct rec.reason order by rec.reason) as reasons,
    any_value(rec._raw_record) as _raw_record
from _int_rejected_records as rec
group by rec._source_line
