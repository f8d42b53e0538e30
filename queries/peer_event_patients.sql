-- INTERNAL to the peer-comparison service (services/peer_comparison.py): pooled patient rows of every
-- centre for fitting the case-mix model (their case-mix values: peer_casemix). Its result never
-- reaches a page; only per-centre aggregates with anonymous labels do.
-- Grain: one row per episode of the pathway treated in the period with the outcome recorded.
-- Parameters: $pathway, $outcome, $from_month, $to_month (first days of months).
-- Reads the layout mart warehouse/marts/outcome_episodes.sql (outcome rows carrying pathway, treatment
-- and treatment date, ordered by pathway, outcome and date): only the outcome's period is read.
-- Roles: none
-- Scope: internal
-- Patient rows: yes
with final as (
    select centre_code, episode_id, treatment, date_trunc('month', treatment_date)::date as month_date,
        value as event
    from marts.outcome_episodes
    where pathway = $pathway and outcome = $outcome and value in (0, 1)
        and treatment_date >= $from_month::date
        and treatment_date < ($to_month::date + interval 1 month)::date
)

select * from final
