-- Do all patients benefit alike? Headline outcome, baseline PROM response and the outcome set's
-- work outcome (return to paid work, of patients in paid work at baseline) split by health literacy,
-- over the twelve months up to $to_month.
-- Grain: one row per health-literacy group (limited, adequate, unknown).
-- Parameters: $centre_code, $pathway, $headline_outcome, $work_outcome (null when the set has none),
-- $to_month (first day of the last month).
-- Reads the mart warehouse/marts/equity_months.sql (the same counts per centre, pathway, month, group
-- and outcome; each a count within its month, so the twelve months add up).
-- Roles: care_team, centre_lead
-- Scope: own_centre
-- Patient rows: no
with months as (
    select literacy_group, outcome, episodes_n, prom_invited_n, prom_completed_n, recorded_n, events_n,
        paid_recorded_n, paid_events_n
    from marts.equity_months
    where centre_code = $centre_code and pathway = $pathway
        and month_date >= ($to_month::date - interval 11 month)::date
        and month_date <= $to_month::date
),

groups as (
    select literacy_group, sum(episodes_n)::bigint as episodes_n, sum(prom_invited_n)::bigint as prom_invited_n,
        sum(prom_completed_n)::bigint as prom_completed_n
    from months
    where outcome is null
    group by literacy_group
),

headline as (
    select literacy_group, sum(recorded_n)::bigint as outcome_recorded_n, sum(events_n)::bigint as outcome_events_n
    from months
    where outcome = $headline_outcome
    group by literacy_group
),

work as (
    select literacy_group, sum(paid_recorded_n)::bigint as work_recorded_n, sum(paid_events_n)::bigint as work_returned_n
    from months
    where outcome = $work_outcome
    group by literacy_group
),

final as (
    select g.literacy_group, g.episodes_n,
        coalesce(h.outcome_recorded_n, 0) as outcome_recorded_n,
        100.0 * h.outcome_events_n / nullif(h.outcome_recorded_n, 0) as outcome_pct,
        g.prom_invited_n,
        100.0 * g.prom_completed_n / nullif(g.prom_invited_n, 0) as prom_response_pct,
        coalesce(w.work_recorded_n, 0) as work_recorded_n,
        100.0 * w.work_returned_n / nullif(w.work_recorded_n, 0) as work_outcome_pct
    from groups as g
    left join headline as h using (literacy_group)
    left join work as w using (literacy_group)
    order by case g.literacy_group when 'limited' then 1 when 'adequate' then 2 else 3 end
)

select * from final
