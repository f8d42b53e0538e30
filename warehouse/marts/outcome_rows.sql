-- Rebuild: per pathway and treatment month (month_date)
-- Layout mart: every clinical outcome, carrying its episode's pathway and treatment month.
-- Grain: one row per row of clinical_outcomes (centre_code, episode_id, outcome).
-- Stored ordered by centre_code, pathway and month_date (zone maps skip the rest).
with episode_keys as (
    select centre_code, episode_id, pathway, date_trunc('month', treatment_date)::date as month_date
    from episodes
),

final as (
    select e.centre_code, e.pathway, e.month_date, o.episode_id, o.outcome, o.value
    from clinical_outcomes as o
    join episode_keys as e using (centre_code, episode_id)
    order by e.centre_code, e.pathway, e.month_date
)

select * from final
