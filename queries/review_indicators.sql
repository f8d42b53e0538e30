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
-- Reads the marts (warehouse/marts/indicator_months.sql, episode_prom_scores.sql), built at publish time.
-- Roles: care_team, centre_lead
-- Scope: own_centre
-- Patient rows: no
with wanted as (
    select unnest($indicator_codes::varchar[]) as indicator_code,
        unnest($indicator_families::varchar[]) as family,
        unnest($indicator_subjects::varchar[]) as subject
),

instruments as (
    select unnest($instrument_codes::varchar[]) as instrument,
        unnest($instrument_mics::double[]) as mic,
        unnest($instrument_higher::boolean[]) as is_higher_better
),

stored_families as (
    -- the families the mart holds ready; the PROM change families are computed below
    select 'outcome' as family
    union all select 'prom_response'
    union all select 'waiting_time_days'
    union all select 'length_of_stay_days'
    union all select 'sdm_documented'
    union all select 'mdt_discussed'
    union all select 'collaborate_top'
    union all select 'nps'
    union all select 'pem_overall'
    union all select 'cost_mean_eur'
    union all select 'cost_median_eur'
),

stored as (
    select m.family, m.subject, m.month_date, m.events_n, m.cases_n, m.value
    from marts.indicator_months as m
    join stored_families as f using (family)
    where m.centre_code = $centre_code and m.pathway = $pathway
        and m.month_date >= $from_month::date and m.month_date <= $to_month::date
),

scores as (
    select month_date, instrument, score_baseline,
        case $primary_followup
            when 'baseline' then score_baseline when '3m' then score_3m when '6m' then score_6m when '12m' then score_12m
        end as score_followup
    from marts.episode_prom_scores
    where centre_code = $centre_code and pathway = $pathway
        and month_date >= $from_month::date and month_date <= $to_month::date
),

changes as (
    select s.month_date, s.instrument, s.score_followup - s.score_baseline as change,
        case when i.is_higher_better then s.score_followup - s.score_baseline else s.score_baseline - s.score_followup end
            >= i.mic as is_mic_reached
    from scores as s
    join instruments as i on i.instrument = s.instrument
    where s.score_baseline is not null and s.score_followup is not null
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

measured as (
    select * from stored
    union all select * from prom_change
),

final as (
    select w.indicator_code, m.month_date, m.events_n, m.cases_n, m.value
    from measured as m
    join wanted as w on w.family = m.family and w.subject is not distinct from m.subject
    order by w.indicator_code, m.month_date
)

select * from final
