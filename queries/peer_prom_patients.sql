-- INTERNAL to the peer-comparison service (services/peer_comparison.py): pooled patient rows with a
-- baseline and a follow-up score, for the PROM case-mix model (their case-mix values: peer_casemix).
-- Never returned to a page.
-- Grain: one row per episode of the pathway treated in the period with both scores.
-- Parameters: $pathway, $instrument, $followup (timepoint), $from_month, $to_month.
-- Reads the mart warehouse/marts/prom_score_pairs.sql (each score beside its baseline, ordered by
-- pathway, instrument, timepoint and treatment date): only the asked pairs of the period are read.
-- Roles: none
-- Scope: internal
-- Patient rows: yes
with final as (
    select centre_code, episode_id, treatment, date_trunc('month', treatment_date)::date as month_date,
        score_baseline, score_followup
    from marts.prom_score_pairs
    where pathway = $pathway and instrument = $instrument and timepoint = $followup
        and treatment_date >= $from_month::date
        and treatment_date < ($to_month::date + interval 1 month)::date
)

select * from final
