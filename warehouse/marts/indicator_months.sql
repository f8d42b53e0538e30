-- Rebuild: per pathway and treatment month (month_date)
-- The monthly review's indicators that take no parameter, per centre, pathway and treatment month.
-- Grain: one row per centre_code, pathway, month_date (first day of the treatment month), family and
-- subject (the outcome code, timepoint or treatment it is about; empty for a family without one),
-- only where the month has cases. events_n / cases_n are numerator and denominator of a proportion
-- (value = their ratio, 0–1); a mean has value with cases_n. recorded_n (outcomes only): rows with a
-- value. The PROM change indicators depend on the follow-up and the instruments' thresholds: they
-- are computed from episode_prom_scores when asked.
with own as not materialized (  -- inlined, so a filter on centre and pathway reaches the scan
    select centre_code, pathway, episode_id, treatment, referral_date, treatment_date, discharge_date,
        sdm_documented, mdt_discussed, date_trunc('month', treatment_date)::date as month_date
    from episodes
),

outcomes as (
    select centre_code, pathway, 'outcome' as family, outcome as subject, month_date,
        count(*) filter (where value = 1)::double as events_n, count(*) as cases_n, avg(value::decimal(38, 10)) as value,
        count(value) as recorded_n
    from marts.outcome_rows
    group by centre_code, pathway, outcome, month_date
),

response as (
    select centre_code, pathway, 'prom_response' as family, timepoint as subject, month_date,
        count(distinct episode_id) filter (where completed_on is not null)::double as events_n,
        count(distinct episode_id) as cases_n,
        count(distinct episode_id) filter (where completed_on is not null) / count(distinct episode_id) as value,
        null::bigint as recorded_n
    from marts.prom_rows
    group by centre_code, pathway, timepoint, month_date
),

process as (
    select centre_code, pathway, 'waiting_time_days' as family, null::varchar as subject, month_date,
        null::double as events_n, count(referral_date) as cases_n,
        avg(datediff('day', referral_date, treatment_date)) as value, null::bigint as recorded_n
    from own
    where referral_date is not null
    group by centre_code, pathway, month_date
    union all
    select centre_code, pathway, 'waiting_time_days', treatment, month_date, null, count(*),
        avg(datediff('day', referral_date, treatment_date)), null
    from own
    where referral_date is not null
    group by centre_code, pathway, treatment, month_date
    union all
    select centre_code, pathway, 'length_of_stay_days', null, month_date, null, count(*),
        avg(datediff('day', treatment_date, discharge_date)), null
    from own
    where discharge_date is not null
    group by centre_code, pathway, month_date
    union all
    select centre_code, pathway, 'sdm_documented', null, month_date, count(*) filter (where sdm_documented)::double,
        count(*), count(*) filter (where sdm_documented) / count(*), null
    from own
    group by centre_code, pathway, month_date
    union all
    select centre_code, pathway, 'mdt_discussed', null, month_date, count(*) filter (where mdt_discussed)::double,
        count(*), count(*) filter (where mdt_discussed) / count(*), null
    from own
    group by centre_code, pathway, month_date
),

prem_wide as (
    select e.centre_code, e.pathway, e.month_date, e.episode_id,
        min(r.score) filter (where r.instrument like 'collaborate_%') as collaborate_min,
        count(*) filter (where r.instrument like 'collaborate_%') as collaborate_items_n,
        max(r.score) filter (where r.instrument = 'nps') as nps_score,
        max(r.score) filter (where r.instrument = 'pem_overall') as pem_score
    from own as e
    join prem_responses as r using (centre_code, episode_id)
    group by e.centre_code, e.pathway, e.month_date, e.episode_id
),

prems as (
    select centre_code, pathway, 'collaborate_top' as family, null::varchar as subject, month_date,
        count(*) filter (where collaborate_min = 9)::double as events_n, count(*) as cases_n,
        count(*) filter (where collaborate_min = 9) / count(*) as value, null::bigint as recorded_n
    from prem_wide
    where collaborate_items_n = 3
    group by centre_code, pathway, month_date
    union all
    select centre_code, pathway, 'nps', null, month_date, null, count(nps_score),
        100.0 * (count(*) filter (where nps_score >= 9) - count(*) filter (where nps_score <= 6)) / count(nps_score), null
    from prem_wide
    where nps_score is not null
    group by centre_code, pathway, month_date
    union all
    select centre_code, pathway, 'pem_overall', null, month_date, null, count(pem_score), avg(pem_score), null
    from prem_wide
    where pem_score is not null
    group by centre_code, pathway, month_date
),

episode_costs as (
    select e.centre_code, e.pathway, e.month_date, e.episode_id, sum(c.amount_eur::decimal(38, 10)) as cost_eur
    from own as e
    join costs as c using (centre_code, episode_id)
    group by e.centre_code, e.pathway, e.month_date, e.episode_id
),

cost as (
    select centre_code, pathway, 'cost_mean_eur' as family, null::varchar as subject, month_date,
        null::double as events_n, count(*) as cases_n, avg(cost_eur) as value, null::bigint as recorded_n
    from episode_costs
    group by centre_code, pathway, month_date
    union all
    select centre_code, pathway, 'cost_median_eur', null, month_date, null, count(*), median(cost_eur), null
    from episode_costs
    group by centre_code, pathway, month_date
),

final as (
    select * from (
        select * from outcomes
        union all select * from response
        union all select * from process
        union all select * from prems
        union all select * from cost
    )
    order by centre_code, pathway, month_date, family, subject
)

select * from final
