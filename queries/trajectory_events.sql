-- What was recorded for one episode of the viewer's own centre: events and measures with their date.
-- Grain: one row per clinical outcome of the episode.
-- Parameters: $centre_code, $episode_id.
-- Reads the layout mart warehouse/marts/outcome_episodes.sql (outcome rows ordered by pathway, outcome
-- and treatment date): the episode's keys let DuckDB skip every other row group.
-- Roles: care_team, centre_lead
-- Scope: own_centre
-- Patient rows: yes
with episode as (
    select centre_code, episode_id, pathway, treatment_date
    from episodes
    where centre_code = $centre_code and episode_id = $episode_id
),

outcomes as (
    select o.*
    from marts.outcome_episodes as o
    join episode as e using (pathway, treatment_date, centre_code, episode_id)
),

final as (
    select outcome, value, measured_on as measured_date
    from outcomes
    order by measured_on, outcome
)

select * from final
