-- The questionnaires of one episode of the viewer's own centre: sent, answered, score.
-- Grain: one row per instrument per timepoint.
-- Parameters: $centre_code, $episode_id.
-- Reads the layout mart warehouse/marts/prom_rows.sql (PROM rows carrying pathway and treatment month,
-- stored in that order): the episode's keys let DuckDB skip every other row group.
-- Roles: care_team, centre_lead
-- Scope: own_centre
-- Patient rows: yes
with episode as (
    select centre_code, pathway, date_trunc('month', treatment_date)::date as month_date, episode_id
    from episodes
    where centre_code = $centre_code and episode_id = $episode_id
),

proms as (
    select p.*
    from marts.prom_rows as p
    join episode as e using (centre_code, pathway, month_date, episode_id)
),

final as (
    select instrument, timepoint, invited_on as invited_date, completed_on as completed_date, score
    from proms
    order by instrument, invited_on
)

select * from final
