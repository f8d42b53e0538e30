-- The centres a viewer can be, with the pathways they deliver.
-- Grain: one row per centre.
-- Parameters: none.
-- Reads the mart warehouse/marts/adoption_months.sql (episodes per centre, pathway and treatment month).
-- Roles: programme_lead, admin
-- Scope: all_centres
-- Patient rows: no
with delivered as (
    select centre_code, list(distinct pathway order by pathway) as pathways, sum(episodes_n)::bigint as episodes_n
    from marts.adoption_months
    group by centre_code
),

final as (
    select c.centre_code, c.name as centre_name, c.kind as centre_kind,
        coalesce(d.pathways, []) as pathways, coalesce(d.episodes_n, 0) as episodes_n
    from centres as c
    left join delivered as d using (centre_code)
    order by c.kind desc, c.name
)

select * from final
