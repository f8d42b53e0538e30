-- Do all patients benefit alike? Headline outcome, baseline PROM response and return to paid
-- work split by health literacy, over the twelve months up to $to_month.
-- Grain: one row per health-literacy group (limited, adequate, unknown).
-- Parameters: $centre_code, $pathway, $headline_outcome, $to_month (first day of the last month).
-- PROMs and outcomes from the layout marts warehouse/marts/prom_rows.sql and outcome_rows.sql.
-- Roles: care_team, centre_lead
-- Scope: own_centre
-- Patient rows: no
with own as (
    select centre_code, pathway, episode_id, paid_work_baseline,
        case when low_health_literacy then 'limited' when not low_health_literacy then 'adequate' else 'unknown' end
            as literacy_group
    from episodes
    where centre_code = $centre_code and pathway = $pathway
        and treatment_date >= $to_month::date - interval 11 month
        and treatment_date < $to_month::date + interval 1 month
),

outcomes as (
    select centre_code, pathway, episode_id, outcome, value
    from marts.outcome_rows
    where centre_code = $centre_code and pathway = $pathway
        and month_date >= date_trunc('month', $to_month::date - interval 11 month) and month_date <= $to_month::date
),

proms as (
    select centre_code, pathway, episode_id, timepoint, completed_on
    from marts.prom_rows
    where centre_code = $centre_code and pathway = $pathway
        and month_date >= date_trunc('month', $to_month::date - interval 11 month) and month_date <= $to_month::date
),

headline as (
    select o.literacy_group, count(*) as outcome_recorded_n, count(*) filter (where c.value = 1) as outcome_events_n
    from own as o
    join outcomes as c using (centre_code, pathway, episode_id)
    where c.outcome = $headline_outcome
    group by o.literacy_group
),

work as (
    select o.literacy_group, count(*) as work_recorded_n, count(*) filter (where c.value = 1) as work_returned_n
    from own as o
    join outcomes as c using (centre_code, pathway, episode_id)
    where c.outcome = 'return_to_work' and o.paid_work_baseline
    group by o.literacy_group
),

response as (
    select o.literacy_group, count(distinct p.episode_id) as prom_invited_n,
        count(distinct p.episode_id) filter (where p.completed_on is not null) as prom_completed_n
    from own as o
    join proms as p using (centre_code, pathway, episode_id)
    where p.timepoint = 'baseline'
    group by o.literacy_group
),

groups as (
    select literacy_group, count(*) as episodes_n from own group by literacy_group
),

final as (
    select g.literacy_group, g.episodes_n,
        coalesce(h.outcome_recorded_n, 0) as outcome_recorded_n,
        100.0 * h.outcome_events_n / nullif(h.outcome_recorded_n, 0) as outcome_pct,
        coalesce(r.prom_invited_n, 0) as prom_invited_n,
        100.0 * r.prom_completed_n / nullif(r.prom_invited_n, 0) as prom_response_pct,
        coalesce(w.work_recorded_n, 0) as work_recorded_n,
        100.0 * w.work_returned_n / nullif(w.work_recorded_n, 0) as return_to_work_pct
    from groups as g
    left join headline as h using (literacy_group)
    left join response as r using (literacy_group)
    left join work as w using (literacy_group)
    order by case g.literacy_group when 'limited' then 1 when 'adequate' then 2 else 3 end
)

select * from final
