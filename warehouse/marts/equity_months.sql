-- Rebuild: per pathway and treatment month (month_date)
-- The equity split's counts per centre, pathway, treatment month and health-literacy group.
-- Grain: one row per centre_code, pathway, month_date (first day of the treatment month), literacy_group
-- (limited, adequate, unknown) and outcome. The row with an empty outcome counts the group's episodes
-- (episodes_n) and those invited to and answering the baseline questionnaires (any instrument:
-- prom_invited_n, prom_completed_n); a row per clinical outcome counts its rows (recorded_n, whatever
-- the value), its events (value 1), and both again among the episodes in paid work at baseline.
-- Every count is of distinct episodes or rows within the month, so a period's count is their sum.
with own as (
    select centre_code, pathway, episode_id, paid_work_baseline, date_trunc('month', treatment_date)::date as month_date,
        case when low_health_literacy then 'limited' when not low_health_literacy then 'adequate' else 'unknown' end
            as literacy_group
    from episodes
),

baseline as (
    select centre_code, pathway, month_date, episode_id, bool_or(completed_on is not null) as is_answered
    from marts.prom_rows
    where timepoint = 'baseline'
    group by centre_code, pathway, month_date, episode_id
),

groups as (
    select o.centre_code, o.pathway, o.month_date, o.literacy_group, null::varchar as outcome,
        count(*) as episodes_n,
        count(b.episode_id) as prom_invited_n,
        count(*) filter (where b.is_answered) as prom_completed_n,
        null::bigint as recorded_n, null::bigint as events_n, null::bigint as paid_recorded_n,
        null::bigint as paid_events_n
    from own as o
    left join baseline as b using (centre_code, pathway, month_date, episode_id)
    group by o.centre_code, o.pathway, o.month_date, o.literacy_group
),

outcomes as (
    select o.centre_code, o.pathway, o.month_date, o.literacy_group, r.outcome,
        null::bigint as episodes_n, null::bigint as prom_invited_n, null::bigint as prom_completed_n,
        count(*) as recorded_n,
        count(*) filter (where r.value = 1) as events_n,
        count(*) filter (where o.paid_work_baseline) as paid_recorded_n,
        count(*) filter (where o.paid_work_baseline and r.value = 1) as paid_events_n
    from own as o
    join marts.outcome_rows as r using (centre_code, pathway, month_date, episode_id)
    group by o.centre_code, o.pathway, o.month_date, o.literacy_group, r.outcome
),

final as (
    select * from (select * from groups union all select * from outcomes)
    order by centre_code, pathway, month_date, literacy_group, outcome nulls first
)

select * from final
