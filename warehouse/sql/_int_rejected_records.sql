-- Records of one file that never reached the raw table, one row per record and reason.
create or replace temp table _int_rejected_records (
    _source_line bigint,
    _raw_record varchar,
    reason varchar
)
