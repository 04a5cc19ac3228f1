-- One file's raw rows cleaned, typed and checked: every reason a row is bad, in one list.
create or replace temp table _int_checked as
with source as (
    select *
    from {raw_table} as raw
    where raw._load_id = $load_id and raw._source_file = $source_file
),

cleaned as (
    select
        source._source_line,
        {cleaned_columns}
    from source
),

typed as (
    select
        cleaned._source_line,
        {typed_columns},
        {text_columns}
    from cleaned
),

final as (
    select
        typed._source_line,
        {final_columns},
        {reasons} as reasons
    from typed
)

select * from final
