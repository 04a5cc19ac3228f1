-- One file's raw rows cleaned, typed and checked: every reason a row is bad, in one list.
-- The feed's extra columns ride along as text, to be kept with the staged row.
create or replace temp table _int_checked as
with source as (
    select *
    from {part_table} as raw
),

cleaned as (
    select
        source._source_line,
        {cleaned_columns}{cleaned_extras}
    from source
),

typed as (
    select
        cleaned._source_line,
        {typed_columns},
        {text_columns}{typed_extras}
    from cleaned
),

final as (
    select
        typed._source_line,
        {final_columns}{final_extras},
        {reasons} as reasons
    from typed
)

select * from final
