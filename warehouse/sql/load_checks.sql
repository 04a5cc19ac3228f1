-- Data-quality findings of each load: how many bad rows each check query returned.
create table if not exists load_checks (
    load_id varchar not null,
    check_name varchar not null,
    table_name varchar not null,
    bad_row_count bigint not null,
    checked_at timestamp not null
)
