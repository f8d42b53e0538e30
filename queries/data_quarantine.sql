-- Rejected rows of one centre's deliveries, with the reason.
-- Grain: one row per rejected cell (or per rejected row when the whole row is wrong).
-- Parameters: $centre_code. Rows of other centres never leave this query.
-- Roles: data_manager, admin
-- Scope: own_centre
-- Patient rows: yes
with final as (
    select q.load_id, l.delivered_on, q.file_name, q.table_name, q.row_number,
        q.column_name, q.value, q.reason
    from quarantine as q
    left join (select distinct load_id, delivered_on from load_log) as l using (load_id)
    where ($centre_code is null or q.centre_code = $centre_code)
    order by q.load_id desc, q.file_name, q.row_number, q.column_name
)

select * from final
