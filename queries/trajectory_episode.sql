-- One episode of the viewer's own centre, as the trajectory view needs it (its case-mix: trajectory_casemix).
-- Grain: one row (none when the episode is not the centre's own).
-- Parameters: $centre_code, $episode_id.
-- Roles: care_team, centre_lead
-- Scope: own_centre
-- Patient rows: yes
with episode as (
    select * from episodes
    where centre_code = $centre_code and episode_id = $episode_id
),

final as (
    select centre_code, episode_id, patient_id, pathway, treatment, treatment_date, discharge_date
    from episode
)

select * from final
