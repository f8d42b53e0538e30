-- The team's improvement actions (PDSA log) for one pathway, newest start first.
-- Grain: one row per action of the centre's pathway, in its current state.
-- Parameters: $centre_code, $pathway.
-- Roles: care_team, centre_lead
-- Scope: own_centre
-- Patient rows: no
-- Store: actions
with actions as (
    select * from improvement_actions
    where centre_code = $centre_code and pathway = $pathway
),

final as (
    select action_id, centre_code, pathway, indicator_code, what, who, start_month as start_month_date,
        expected_effect, status, result_note,
        status in ('plan', 'do', 'study', 'act') as is_open,
        created_at, created_by, updated_at, updated_by
    from actions
    order by start_month desc, action_id desc
)

select * from final
