-- Record one file's outcome; every value is bound.
insert into load_log (
    load_id, source_file, file_name, sheet, dataset, mapping, encoding, file_hash,
    rows_read, rows_loaded, rows_quarantined, status, message, started_at, finished_at
)
values (
    $load_id, $source_file, $file_name, $sheet, $dataset, $mapping, $encoding, $file_hash,
    $rows_read, $rows_loaded, $rows_quarantined, $status, $message, $started_at, $finished_at
)
