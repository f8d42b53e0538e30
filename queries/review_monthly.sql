-- The headline figures of the monthly review for one centre and pathway.
-- Grain: one row per treatment month from $from_month to $to_month (months without episodes included).
-- Parameters: $centre_code, $pathway, $headline_outcome (a clinical outcome code),
--             $from_month, $to_month (first days of months).
-- Roles: care_team, centre_lead
-- Scope: own_centre
-- Patient rows: no
with calendar as (
    select unnest(generate_series($from_month::date, $to_month::date, interval 1 month))::date as month_date
),

own_episodes as (
    select centre_code, episode_id, date_trunc('month', treatment_date)::date as month_date
    from episodes
    where centre_code = $centre_code and pathway = $pathway
        and treatment_date >= $from_month::date
        and treatment_date < $to_month::date + interval 1 month
),

volume as (
    select month_date, count(*) as episodes_n from own_episodes group by month_date
),

headline as (
    select e.month_date,
        count(o.value) as outcome_recorded_n,
        count(*) filter (where o.value = 1) as outcome_events_n
    from own_episodes as e
    join clinical_outcomes as o using (centre_code, episode_id)
    where o.outcome = $headline_outcome
    group by e.month_date
),

baseline_response as (
    -- one questionnaire set per episode at baseline: answered when any instrument was completed
    select e.month_date,
        count(distinct p.episode_id) as prom_invited_n,
        count(distinct p.episode_id) filter (where p.completed_on is not null) as prom_completed_n
    from own_episodes as e
    join prom_measurements as p using (centre_code, episode_id)
    where p.timepoint = 'baseline'
    group by e.month_date
),

episode_costs as (
    select e.month_date, e.episode_id, sum(c.amount_eur) as cost_eur
    from own_episodes as e
    join costs as c using (centre_code, episode_id)
    group by e.month_date, e.episode_id
),

cost as (
    select month_date, count(*) as costed_n, avg(cost_eur) as mean_cost_eur, median(cost_eur) as median_cost_eur
    from episode_costs
    group by month_date
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
