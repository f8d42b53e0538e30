-- The questionnaires of one episode of the viewer's own centre: sent, answered, score.
-- Grain: one row per instrument per timepoint.
-- Parameters: $centre_code, $episode_id.
-- Roles: care_team, centre_lead
-- Scope: own_centre
-- Patient rows: yes
with proms as (
    select * from prom_measurements
    where centre_code = $centre_code and episode_id = $episode_id
),

final as (
    select instrument, timepoint, invited_on as invited_date, completed_on as completed_date, score
    from proms
    order by instrument, invited_on
)

select * from final
