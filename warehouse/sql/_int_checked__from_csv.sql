-- One CSV file read, cleaned, typed and checked in one pass, without a copy of its text:
-- each row's values as they came are kept (a list, in source column order) only when the
-- row has a reason, for quarantine. Lines are added after (_int_checked__add_lines.sql):
-- DuckDB keeps the file's order here (preserve_insertion_order). Records DuckDB cannot
-- split land in _int_csv_rejects; the loader then reads the file through
-- _int_raw_part__from_csv.sql instead, which numbers the lines past them.
create or replace temp table _int_checked as
with source as (
    select
        {source_columns}
    from {csv_read} as src
),

cleaned as (
    select
        {source_values},
        {cleaned_columns}{cleaned_extras}
    from source
),

typed as (
    select
        {cleaned_values},
        {typed_columns},
        {text_columns}{typed_extras}
    from cleaned
),

final as (
    select
        {typed_values},
        {final_columns}{final_extras},
        {reasons} as reasons
    from typed
)

select
    {checked_columns},
    final.reasons,
    case when len(final.reasons) > 0 then [{raw_values}] end as _raw_values
from final
