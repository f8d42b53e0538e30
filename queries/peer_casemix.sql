-- INTERNAL to the service layer (services/peer_comparison.py, services/patients_like_me.py): every
-- case-mix value of every centre's episodes, for fitting the case-mix and prediction models on the
-- pooled data. Never returned to a page: only aggregates and predictions leave.
-- Grain: one row per episode of the pathway treated in the period and case-mix variable of its
-- outcome set (the view episode_casemix, whatever table delivers the variable; a row also when missing).
-- Parameters: $pathway, $from_month, $to_month (first days of months).
-- Reads the layout mart warehouse/marts/casemix_rows.sql (the view stored, ordered by pathway and
-- treatment date): only the row groups of the pathway's period are read.
-- Roles: none
-- Scope: internal
-- Patient rows: yes
with final as (
    select centre_code, episode_id, variable, kind, value_number, value_text
    from marts.casemix_rows
    where pathway = $pathway
        and treatment_date >= $from_month::date
        and treatment_date < ($to_month::date + interval 1 month)::date
)

select * from final
