-- INTERNAL to the peer-comparison layer (queries/peers.py): pooled patient rows with a
-- baseline and a follow-up score, for the PROM case-mix model. Never returned to a page.
-- Grain: one row per episode of the pathway treated in the period with both scores.
-- Parameters: $pathway, $instrument, $followup (timepoint), $from_month, $to_month.
-- Roles: none
-- Scope: internal
-- Patient rows: yes
with scores as (
    select centre_code, episode_id,
        max(score) filter (where timepoint = 'baseline') as baseline_score,
        max(score) filter (where timepoint = $followup) as followup_score
    from prom_measurements
    where instrument = $instrument and score is not null
    group by centre_code, episode_id
),

final as (
    select e.centre_code, e.episode_id, e.treatment, e.age, e.sex, e.bmi, e.asa_class, e.charlson_index,
        e.low_health_literacy, date_trunc('month', e.treatment_date)::date as month_date,
        s.baseline_score, s.followup_score
    from episodes as e
    join scores as s using (centre_code, episode_id)
    where e.pathway = $pathway and s.baseline_score is not null and s.followup_score is not null
        and e.treatment_date >= $from_month::date
        and e.treatment_date < $to_month::date + interval 1 month
)

select * from final
