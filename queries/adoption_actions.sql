-- Did the team run its review cycle? Improvement actions recorded or updated per month.
-- Grain: one row per centre per pathway per month with at least one action recorded or changed.
-- Parameters: $centre_code (null: every centre, national viewers only), $from_month, $to_month.
-- Roles: care_team, centre_lead, programme_lead, admin
-- Scope: own_centre
-- Patient rows: no
-- Store: actions
with changes as (
    select a.centre_code, a.pathway, c.action_id, date_trunc('month', c.changed_at)::date as month_date
    from improvement_action_changes as c
    join improvement_actions as a using (action_id)
    where $centre_code::varchar is null or a.centre_code = $centre_code
),

final as (
    select centre_code, pathway, month_date, count(distinct action_id) as actions_n
    from changes
    where month_date between $from_month::date and $to_month::date
    group by centre_code, pathway, month_date
    order by centre_code, pathway, month_date
)

select * from final
