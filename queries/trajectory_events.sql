-- What was recorded for one episode of the viewer's own centre: events and measures with their date.
-- Grain: one row per clinical outcome of the episode.
-- Parameters: $centre_code, $episode_id.
-- Roles: care_team, centre_lead
-- Scope: own_centre
-- Patient rows: yes
with outcomes as (
    select * from clinical_outcomes
    where centre_code = $centre_code and episode_id = $episode_id
),

final as (
    select outcome, value, measured_on as measured_date
    from outcomes
    order by measured_on, outcome
)

select * from final
