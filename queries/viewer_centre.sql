-- The name of one centre (the viewer's own, or the one a national viewer chose).
-- Grain: one row.
-- Parameters: $centre_code.
-- Roles: care_team, centre_lead, data_manager, programme_lead, admin
-- Scope: own_centre
-- Patient rows: no
with final as (
    select centre_code, name as centre_name, kind as centre_kind
    from centres
    where centre_code = $centre_code
)

select * from final
