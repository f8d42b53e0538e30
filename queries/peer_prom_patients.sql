-- INTERNAL to the peer-comparison service (services/peer_comparison.py): pooled patient rows with a
-- baseline and a follow-up score, for the PROM case-mix model (their case-mix values: peer_casemix).
-- Never returned to a page.
-- Grain: one row per episode of the pathway treated in the period with both scores.
-- Parameters: $pathway, $instrument, $followup (timepoint), $from_month, $to_month.
-- Roles: none
-- Scope: internal
-- Patient rows: yes
with scores as (
    select centre_code, episode_id,
        max(score) filter (where timepoint = 'baseline') as score_baseline,
        max(score) filter (where timepoint = $followup) as score_followup
    from prom_measurements
    where instrument = $instrument and score is not null
    group by centre_code, episode_id
),

final as (
    select e.centre_code, e.episode_id, e.treatment, date_trunc('month', e.treatment_date)::date as month_date,
        s.score_baseline, s.score_followup
    from episodes as e
    join scores as s using (centre_code, episode_id)
    where e.pathway = $pathway and s.score_baseline is not null and s.score_followup is not null
        and e.treatment_date >= $from_month::date
        and e.treatment_date < $to_month::date + interval 1 month
)

select * from final
