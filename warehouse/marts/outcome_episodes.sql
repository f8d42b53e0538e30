-- Rebuild: per pathway and treatment month (treatment_date)
-- Layout mart: every clinical outcome, carrying its episode's pathway, treatment and treatment date.
-- Grain: one row per row of clinical_outcomes (centre_code, episode_id, outcome), whatever its value.
-- Stored ordered by pathway, outcome, treatment_date, centre_code and episode_id: one outcome of one
-- pathway in one period (peer_event_patients) and one episode's outcomes (trajectory_events, by its
-- pathway and treatment date) read only the row groups that hold them (DuckDB's zone maps).
with episode_keys as (
    select centre_code, episode_id, pathway, treatment, treatment_date
    from episodes
),

final as (
    select e.pathway, o.outcome, e.treatment_date, e.centre_code, e.episode_id, e.treatment, o.value, o.measured_on
    from clinical_outcomes as o
    join episode_keys as e using (centre_code, episode_id)
    order by e.pathway, o.outcome, e.treatment_date, e.centre_code, e.episode_id
)

select * from final
