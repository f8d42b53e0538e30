-- The team's own shared practices for one pathway: which of its actions it offers to peers, and how.
-- Grain: one row per shared practice of the centre's pathway (withdrawn ones too, with when).
-- Parameters: $centre_code, $pathway.
-- Roles: care_team, centre_lead
-- Scope: own_centre
-- Patient rows: no
-- Store: actions
with own as (
    select * from shared_practices
    where centre_code = $centre_code and pathway = $pathway
),

adoptions as (
    select origin_practice_id as practice_id, count(*) as adoptions_n
    from improvement_actions
    where origin_practice_id is not null
    group by origin_practice_id
),

final as (
    select o.practice_id, o.action_id, o.indicator_code, o.is_named, o.effect_verdict, o.withheld_reason,
        o.shared_at, o.shared_by, o.withdrawn_at, o.withdrawn_by, o.withdrawn_at is null as is_active,
        coalesce(a.adoptions_n, 0) as adoptions_n
    from own as o
    left join adoptions as a using (practice_id)
    order by o.shared_at desc, o.practice_id desc
)

select * from final
