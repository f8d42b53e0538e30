-- The practices the team has adopted: its own actions that started from another centre's shared practice.
-- Grain: one row per adopting action of the centre's pathway.
-- Parameters: $centre_code, $pathway.
-- Roles: care_team, centre_lead
-- Scope: own_centre
-- Patient rows: no
-- Store: actions
with own as (
    select action_id, origin_practice_id, status, start_month
    from improvement_actions
    where centre_code = $centre_code and pathway = $pathway and origin_practice_id is not null
),

final as (
    select origin_practice_id, min(action_id) as action_id
    from own
    group by origin_practice_id
    order by origin_practice_id
)

select * from final
