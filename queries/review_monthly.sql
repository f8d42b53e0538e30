-- The headline figures of the monthly review for one centre and pathway.
-- Grain: one row per treatment month from $from_month to $to_month (months without episodes included).
-- Parameters: $centre_code, $pathway, $headline_outcome (a clinical outcome code),
--             $from_month, $to_month (first days of months).
-- Reads the marts (warehouse/marts/adoption_months.sql, indicator_months.sql), built at publish time.
-- Roles: care_team, centre_lead
-- Scope: own_centre
-- Patient rows: no
with calendar as (
    select unnest(generate_series($from_month::date, $to_month::date, interval 1 month))::date as month_date
),

volume as (
    select month_date, episodes_n
    from marts.adoption_months
    where centre_code = $centre_code and pathway = $pathway
        and month_date >= $from_month::date and month_date <= $to_month::date
),

stored as (
    select family, subject, month_date, events_n, cases_n, value, recorded_n
    from marts.indicator_months
    where centre_code = $centre_code and pathway = $pathway
        and month_date >= $from_month::date and month_date <= $to_month::date
        and family in ('outcome', 'prom_response', 'cost_mean_eur', 'cost_median_eur')
),

headline as (
    select month_date, recorded_n as outcome_recorded_n, events_n::bigint as outcome_events_n
    from stored
    where family = 'outcome' and subject = $headline_outcome
),

baseline_response as (
    -- one questionnaire set per episode at baseline: answered when any instrument was completed
    select month_date, cases_n as prom_invited_n, events_n::bigint as prom_completed_n
    from stored
    where family = 'prom_response' and subject = 'baseline'
),

cost as (
    select m.month_date, m.cases_n as costed_n, m.value as mean_cost_eur, d.value as median_cost_eur
    from stored as m
    join stored as d on d.month_date = m.month_date and d.family = 'cost_median_eur'
    where m.family = 'cost_mean_eur'
),

final as (
    select c.month_date,
        coalesce(v.episodes_n, 0) as episodes_n,
        coalesce(h.outcome_recorded_n, 0) as outcome_recorded_n,
        coalesce(h.outcome_events_n, 0) as outcome_events_n,
        100.0 * h.outcome_events_n / nullif(h.outcome_recorded_n, 0) as outcome_pct,
        coalesce(r.prom_invited_n, 0) as prom_invited_n,
        coalesce(r.prom_completed_n, 0) as prom_completed_n,
        100.0 * r.prom_completed_n / nullif(r.prom_invited_n, 0) as prom_response_pct,
        coalesce(k.costed_n, 0) as costed_n,
        k.mean_cost_eur,
        k.median_cost_eur
    from calendar as c
    left join volume as v using (month_date)
    left join headline as h using (month_date)
    left join baseline_response as r using (month_date)
    left join cost as k using (month_date)
    order by c.month_date
)

select * from final
