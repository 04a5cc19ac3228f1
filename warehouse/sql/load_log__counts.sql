-- Row accounting of one file: what was read, staged and quarantined (read = loaded + quarantined).
select
    (select count(*) from {part_table} as raw) as raw_rows,
    (select count(distinct rec._source_line) from _int_rejected_records as rec) as rejected_records,
    (select count(*) from _int_checked as checked where len(checked.reasons) = 0) as rows_loaded,
    (
        select count(*)
        from {quarantine_table} as q
        where q._load_id = $load_id and q._source_file = $source_file
    ) as rows_quarantined
