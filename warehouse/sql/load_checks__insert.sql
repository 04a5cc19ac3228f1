-- Record one data-quality check's result for a load.
insert into load_checks (load_id, check_name, table_name, bad_row_count, checked_at)
values ($load_id, $check_name, $table_name, $bad_row_count, $checked_at)
