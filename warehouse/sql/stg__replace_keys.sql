-- Last load wins: drop the staged rows whose keys this file delivers again.
delete from {stg_table} as stg
using _int_checked as checked
where len(checked.reasons) = 0
    and {key_match}
