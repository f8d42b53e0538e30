-- The recently treated patients of one centre, pathway and month, with what is worth discussing.
-- Grain: one row per episode treated in $month (pseudonymised ids; the viewer's own centre only).
-- Parameters: $centre_code, $pathway, $month (first day), $adverse_outcomes (event codes where 1 is bad),
--   $primary_instrument, $mic, $is_higher_better (the primary PROM and its minimal important change).
-- PROMs, outcomes and costs from the marts (warehouse/marts/prom_rows.sql, outcome_rows.sql, episode_costs.sql).
-- Roles: care_team, centre_lead
-- Scope: own_centre
-- Patient rows: yes
with own as (
    select centre_code, episode_id, patient_id, treatment, treatment_date, age, sex
    from episodes
    where centre_code = $centre_code and pathway = $pathway
        and treatment_date >= $month::date and treatment_date < $month::date + interval 1 month
),

events as (
    select o.centre_code, o.episode_id, string_agg(o.outcome, ', ' order by o.outcome) as adverse_events
    from marts.outcome_rows as o
    join own using (centre_code, episode_id)
    where o.centre_code = $centre_code and o.pathway = $pathway and o.month_date = date_trunc('month', $month::date)
        and o.value = 1 and list_contains($adverse_outcomes::varchar[], o.outcome)
    group by o.centre_code, o.episode_id
),

proms as (
    select p.centre_code, p.episode_id,
        count(*) filter (where p.completed_on is null) as proms_missing_n,
        max(p.score) filter (where p.instrument = $primary_instrument and p.timepoint = 'baseline') as baseline_score,
        arg_max(p.score, p.invited_on) filter (
            where p.instrument = $primary_instrument and p.timepoint <> 'baseline' and p.score is not null
        ) as latest_followup_score
    from marts.prom_rows as p
    join own using (centre_code, episode_id)
    where p.centre_code = $centre_code and p.pathway = $pathway and p.month_date = date_trunc('month', $month::date)
    group by p.centre_code, p.episode_id
),

episode_costs as (
    select c.centre_code, c.episode_id, c.cost_eur
    from marts.episode_costs as c
    join own using (centre_code, episode_id)
    where c.centre_code = $centre_code and c.pathway = $pathway and c.month_date = date_trunc('month', $month::date)
),

usual_cost as (
    -- the pathway's usual cost at this centre: the 90th percentile of the year before
    select quantile_cont(cost_eur, 0.9) as p90_cost_eur
    from marts.episode_costs
    where centre_code = $centre_code and pathway = $pathway
        and month_date >= $month::date - interval 12 month and month_date < $month::date
),

final as (
    select o.episode_id, o.patient_id, o.treatment, o.treatment_date, o.age, o.sex,
        ev.adverse_events,
        ev.adverse_events is not null as has_complication,
        coalesce(p.proms_missing_n, 0) as proms_missing_n,
        coalesce(p.proms_missing_n, 0) > 0 as has_missing_prom,
        p.latest_followup_score - p.baseline_score as prom_change,
        case when $is_higher_better then p.latest_followup_score - p.baseline_score
            else p.baseline_score - p.latest_followup_score end < $mic as is_below_mic,
        k.cost_eur,
        k.cost_eur > 2 * u.p90_cost_eur as is_cost_far_above
    from own as o
    left join events as ev using (centre_code, episode_id)
    left join proms as p using (centre_code, episode_id)
    left join episode_costs as k using (centre_code, episode_id)
    cross join usual_cost as u
    order by o.treatment_date, o.episode_id
)

select * from final
