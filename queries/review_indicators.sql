-- Every monthly indicator of one centre and pathway, by the month patients were treated.
-- Grain: one row per indicator asked for per treatment month that has cases (long format).
-- Parameters: $centre_code, $pathway, $from_month, $to_month (first days of months),
--   $primary_followup (timepoint of the PROM change, e.g. '12m'),
--   $instrument_codes, $instrument_mics, $instrument_higher (lists describing the pathway's
--   PROM instruments: code, minimal important change, whether a higher score is better),
--   $indicator_codes, $indicator_families, $indicator_subjects (parallel lists: the indicators
--   asked for, each with the family this query computes and its subject or null; the codes are
--   built in analytics.indicators, never here: each row carries the code it was asked for).
-- Proportions come as events_n / cases_n with value = their ratio (0–1); means as value with cases_n.
-- Roles: care_team, centre_lead
-- Scope: own_centre
-- Patient rows: no
with own as (
    select centre_code, episode_id, treatment, referral_date, treatment_date, discharge_date,
        sdm_documented, mdt_discussed, date_trunc('month', treatment_date)::date as month_date
    from episodes
    where centre_code = $centre_code and pathway = $pathway
        and treatment_date >= $from_month::date
        and treatment_date < $to_month::date + interval 1 month
),

wanted as (
    select unnest($indicator_codes::varchar[]) as indicator_code,
        unnest($indicator_families::varchar[]) as family,
        unnest($indicator_subjects::varchar[]) as subject
),

instruments as (
    select unnest($instrument_codes::varchar[]) as instrument,
        unnest($instrument_mics::double[]) as mic,
        unnest($instrument_higher::boolean[]) as is_higher_better
),

outcome_rows as (
    select e.month_date, o.outcome, o.value
    from own as e
    join clinical_outcomes as o using (centre_code, episode_id)
),

outcomes as (
    select 'outcome' as family, outcome as subject, month_date,
        count(*) filter (where value = 1)::double as events_n, count(*) as cases_n, avg(value) as value
    from outcome_rows
    group by outcome, month_date
),

proms as (
    select e.episode_id, e.month_date, p.instrument, p.timepoint, p.completed_on, p.score
    from own as e
    join prom_measurements as p using (centre_code, episode_id)
),

response as (
    select 'prom_response' as family, timepoint as subject, month_date,
        count(distinct episode_id) filter (where completed_on is not null)::double as events_n,
        count(distinct episode_id) as cases_n,
        count(distinct episode_id) filter (where completed_on is not null) / count(distinct episode_id) as value
    from proms
    group by timepoint, month_date
),

changes as (
    select b.month_date, b.instrument, f.score - b.score as change,
        case when i.is_higher_better then f.score - b.score else b.score - f.score end >= i.mic as is_mic_reached
    from proms as b
    join proms as f
        on f.episode_id = b.episode_id and f.instrument = b.instrument and f.timepoint = $primary_followup
    join instruments as i on i.instrument = b.instrument
    where b.timepoint = 'baseline' and b.score is not null and f.score is not null
),

prom_change as (
    select 'prom_change' as family, instrument as subject, month_date,
        null::double as events_n, count(*) as cases_n, avg(change) as value
    from changes
    group by instrument, month_date
    union all
    select 'prom_mic', instrument, month_date,
        count(*) filter (where is_mic_reached)::double, count(*), avg(is_mic_reached::int)
    from changes
    group by instrument, month_date
),

process as (
    select 'waiting_time_days' as family, null::varchar as subject, month_date, null::double as events_n,
        count(referral_date) as cases_n, avg(datediff('day', referral_date, treatment_date)) as value
    from own
    where referral_date is not null
    group by month_date
    union all
    select 'waiting_time_days', treatment, month_date, null, count(*), avg(datediff('day', referral_date, treatment_date))
    from own
    where referral_date is not null
    group by treatment, month_date
    union all
    select 'length_of_stay_days', null, month_date, null, count(*), avg(datediff('day', treatment_date, discharge_date))
    from own
    where discharge_date is not null
    group by month_date
    union all
    select 'sdm_documented', null, month_date, count(*) filter (where sdm_documented)::double, count(*),
        count(*) filter (where sdm_documented) / count(*)
    from own
    group by month_date
    union all
    select 'mdt_discussed', null, month_date, count(*) filter (where mdt_discussed)::double, count(*),
        count(*) filter (where mdt_discussed) / count(*)
    from own
    group by month_date
),

prem_wide as (
    select e.month_date, e.episode_id,
        min(r.score) filter (where r.instrument like 'collaborate_%') as collaborate_min,
        count(*) filter (where r.instrument like 'collaborate_%') as collaborate_items_n,
        max(r.score) filter (where r.instrument = 'nps') as nps_score,
        max(r.score) filter (where r.instrument = 'pem_overall') as pem_score
    from own as e
    join prem_responses as r using (centre_code, episode_id)
    group by e.month_date, e.episode_id
),

prems as (
    select 'collaborate_top' as family, null::varchar as subject, month_date,
        count(*) filter (where collaborate_min = 9)::double as events_n, count(*) as cases_n,
        count(*) filter (where collaborate_min = 9) / count(*) as value
    from prem_wide
    where collaborate_items_n = 3
    group by month_date
    union all
    select 'nps', null, month_date, null, count(nps_score),
        100.0 * (count(*) filter (where nps_score >= 9) - count(*) filter (where nps_score <= 6)) / count(nps_score)
    from prem_wide
    where nps_score is not null
    group by month_date
    union all
    select 'pem_overall', null, month_date, null, count(pem_score), avg(pem_score)
    from prem_wide
    where pem_score is not null
    group by month_date
),

episode_costs as (
    select e.month_date, e.episode_id, sum(c.amount_eur) as cost_eur
    from own as e
    join costs as c using (centre_code, episode_id)
    group by e.month_date, e.episode_id
),

cost as (
    select 'cost_mean_eur' as family, null::varchar as subject, month_date, null::double as events_n, count(*) as cases_n,
        avg(cost_eur) as value
    from episode_costs
    group by month_date
    union all
    select 'cost_median_eur', null, month_date, null, count(*), median(cost_eur)
    from episode_costs
    group by month_date
),

measured as (
    select * from outcomes
    union all select * from response
    union all select * from prom_change
    union all select * from process
    union all select * from prems
    union all select * from cost
),

final as (
    select w.indicator_code, m.month_date, m.events_n, m.cases_n, m.value
    from measured as m
    join wanted as w on w.family = m.family and w.subject is not distinct from m.subject
    order by w.indicator_code, m.month_date
)

select * from final
