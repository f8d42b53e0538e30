-- The control-chart settings a team chose for one pathway: where each chart's baseline ends
-- (its limits fixed after that month) and which months are left out of its limits, with the reason.
-- Grain: one row per setting: a chart's baseline end, or one excluded month of a chart.
-- Parameters: $centre_code, $pathway.
-- Roles: care_team, centre_lead
-- Scope: own_centre
-- Patient rows: no
-- Store: actions
with settings as (
    select * from chart_settings
    where centre_code = $centre_code and pathway = $pathway
),

final as (
    select centre_code, pathway, indicator_code, setting, month as month_date, reason, set_at, set_by
    from settings
    order by indicator_code, setting, month
)

select * from final
