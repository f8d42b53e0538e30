-- INTERNAL to the peer-comparison layer: case-mix values recorded as clinical outcomes
-- (e.g. diabetes, tumour stage). Never returned to a page.
-- Grain: one row per episode per case-mix outcome.
-- Parameters: $pathway, $outcomes (list of outcome codes), $from_month, $to_month.
-- Roles: none
-- Scope: internal
-- Patient rows: yes
with final as (
    select o.centre_code, o.episode_id, o.outcome, o.value
    from clinical_outcomes as o
    join episodes as e using (centre_code, episode_id)
    where e.pathway = $pathway and list_contains($outcomes::varchar[], o.outcome)
        and e.treatment_date >= $from_month::date
        and e.treatment_date < $to_month::date + interval 1 month
)

select * from final
