-- Who changed which action, which field, from what to what, and when.
-- Grain: one row per changed field of an action of the centre's pathway.
-- Parameters: $centre_code, $pathway.
-- Roles: care_team, centre_lead
-- Scope: own_centre
-- Patient rows: no
-- Store: actions
with actions as (
    select action_id, what from improvement_actions
    where centre_code = $centre_code and pathway = $pathway
),

final as (
    select c.action_id, a.what, c.changed_at, c.changed_by, c.field_name, c.old_value, c.new_value
    from improvement_action_changes as c
    join actions as a using (action_id)
    order by c.changed_at desc, c.action_id desc, c.field_name
)

select * from final
