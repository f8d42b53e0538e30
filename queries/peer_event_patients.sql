-- INTERNAL to the peer-comparison service (services/peer_comparison.py): pooled patient rows of every
-- centre for fitting the case-mix model (their case-mix values: peer_casemix). Its result never
-- reaches a page; only per-centre aggregates with anonymous labels do.
-- Grain: one row per episode of the pathway treated in the period with the outcome recorded.
-- Parameters: $pathway, $outcome, $from_month, $to_month (first days of months).
-- Roles: none
-- Scope: internal
-- Patient rows: yes
with final as (
    select e.centre_code, e.episode_id, e.treatment, date_trunc('month', e.treatment_date)::date as month_date,
        o.value as event
    from episodes as e
    join clinical_outcomes as o using (centre_code, episode_id)
    where e.pathway = $pathway and o.outcome = $outcome and o.value in (0, 1)
        and e.treatment_date >= $from_month::date
        and e.treatment_date < $to_month::date + interval 1 month
)

select * from final
