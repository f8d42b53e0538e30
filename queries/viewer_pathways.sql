-- The pathways a centre has delivered (all centres together for a national viewer).
-- Grain: one row per pathway.
-- Parameters: $centre_code (null: all centres).
-- Roles: care_team, centre_lead, data_manager, programme_lead, admin
-- Scope: own_centre
-- Patient rows: no
with final as (
    select pathway, count(*) as episodes_n
    from episodes
    where $centre_code is null or centre_code = $centre_code
    group by pathway
    order by pathway
)

select * from final
