-- The load log: one row per file (or sheet) and dataset a load touched, with its row accounting.
create table if not exists load_log (
    load_id varchar not null,
    source_file varchar not null,
    file_name varchar not null,
    sheet varchar,
    dataset varchar,
    mapping varchar,
    encoding varchar,
    file_hash varchar not null,
    rows_read bigint not null,
    rows_loaded bigint not null,
    rows_quarantined bigint not null,
    status varchar not null,
    message varchar,
    started_at timestamp not null,
    finished_at timestamp not null
)
