-- Do patients answer? PROM response per timepoint: questionnaires answered of those sent.
-- Grain: one row per centre per pathway per invitation month per timepoint, from $from_month to
-- $to_month (an invitation counts in the month it was sent; answered at any time since).
-- Parameters: $centre_code (null: every centre, national viewers only), $from_month, $to_month.
-- Reads the mart warehouse/marts/prom_response_months.sql, built at publish time.
-- Roles: care_team, centre_lead, programme_lead, admin
-- Scope: own_centre
-- Patient rows: no
with invitations as (
    select centre_code, pathway, month_date, timepoint, invited_n, answered_n, response_pct
    from marts.prom_response_months
    where ($centre_code::varchar is null or centre_code = $centre_code)
        and month_date >= $from_month::date and month_date <= $to_month::date
),

final as (
    select * from invitations
    order by centre_code, pathway, month_date, timepoint
)

select * from final
