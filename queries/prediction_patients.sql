-- INTERNAL to the samen-beslissen service (services/patients_like_me.py): pooled patient rows of every
-- centre to fit the "patients like me" models on (their case-mix values: peer_casemix). Never returned
-- to a page: only predictions and counts leave.
-- Grain: one row per episode of the pathway with a baseline score of the primary instrument; the
-- follow-up scores per timepoint of the data standard (3m, 6m, 12m) as columns.
-- Parameters: $pathway, $instrument (primary), $event (outcome code of the harm event), $work (outcome
-- code of being back at paid work; '' when the outcome set predicts none).
-- Reads the marts (warehouse/marts/episode_prom_scores.sql, outcome_rows.sql), built at publish time.
-- Roles: none
-- Scope: internal
-- Patient rows: yes
with scores as (
    select centre_code, episode_id, score_baseline, score_3m, score_6m, score_12m
    from marts.episode_prom_scores
    where pathway = $pathway and instrument = $instrument and score_baseline is not null
),

outcomes as (
    select centre_code, episode_id,
        max(value) filter (where outcome = $event) as has_event,
        max(value) filter (where outcome = $work) as has_returned_to_work
    from marts.outcome_rows
    where pathway = $pathway
    group by centre_code, episode_id
),

final as (
    select e.centre_code, e.episode_id, e.treatment, e.paid_work_baseline, s.score_baseline, s.score_3m,
        s.score_6m, s.score_12m, o.has_event, o.has_returned_to_work
    from episodes as e
    join scores as s using (centre_code, episode_id)
    left join outcomes as o using (centre_code, episode_id)
    where e.pathway = $pathway
)

select * from final
