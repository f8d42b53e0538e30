-- The load log, newest first.
-- Grain: one row per loaded table of a delivered file (rejected files: one row per file).
-- Parameters: $centre_code (null: every load, for administrators). File names and counts only.
-- Roles: data_manager, admin
-- Scope: own_centre
-- Patient rows: no
with final as (
    select load_id, loaded_at, delivered_on, file_name, table_name, status,
        rows_read, rows_loaded, rows_new, rows_updated, rows_unchanged,
        rows_quarantined, rows_duplicate, left(checksum_sha256, 12) as checksum_short, message
    from load_log
    where $centre_code is null or list_contains(string_split(coalesce(centre_codes, ''), ', '), $centre_code)
    order by load_id desc, file_name
)

select * from final
