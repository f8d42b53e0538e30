-- Rebuild: per pathway and treatment month (month_date)
-- Layout mart: every PROM invitation, carrying its episode's pathway and treatment month.
-- Grain: one row per row of prom_measurements (centre_code, episode_id, instrument, timepoint).
-- Stored ordered by centre_code, pathway and month_date, so a question about one centre,
-- pathway, month or episode reads only the row groups that hold it (DuckDB's zone maps).
with episode_keys as (
    select centre_code, episode_id, pathway, date_trunc('month', treatment_date)::date as month_date
    from episodes
),

final as (
    select e.centre_code, e.pathway, e.month_date, p.episode_id, p.instrument, p.timepoint,
        p.invited_on, p.completed_on, p.score
    from prom_measurements as p
    join episode_keys as e using (centre_code, episode_id)
    order by e.centre_code, e.pathway, e.month_date
)

select * from final
