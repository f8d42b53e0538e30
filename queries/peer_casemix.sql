-- INTERNAL to the service layer (services/peer_comparison.py, services/patients_like_me.py): every
-- case-mix value of every centre's episodes, for fitting the case-mix and prediction models on the
-- pooled data. Never returned to a page: only aggregates and predictions leave.
-- Grain: one row per episode of the pathway treated in the period and case-mix variable of its
-- outcome set (the view episode_casemix, whatever table delivers the variable; a row also when missing).
-- Parameters: $pathway, $from_month, $to_month (first days of months).
-- Roles: none
-- Scope: internal
-- Patient rows: yes
with final as (
    select c.centre_code, c.episode_id, c.variable, c.kind, c.value_number, c.value_text
    from episode_casemix as c
    join episodes as e using (centre_code, episode_id)
    where e.pathway = $pathway
        and e.treatment_date >= $from_month::date
        and e.treatment_date < $to_month::date + interval 1 month
)

select * from final
