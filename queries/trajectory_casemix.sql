-- The case-mix of one episode of the viewer's own centre: every case-mix variable of its outcome set,
-- whatever table delivers it (the view episode_casemix), for the expected trajectory of a patient like this.
-- Grain: one row per case-mix variable of the episode (also when missing; none when not the centre's own).
-- Parameters: $centre_code, $episode_id.
-- Reads the layout mart warehouse/marts/casemix_rows.sql (the view stored, ordered by pathway and
-- treatment date): the episode's keys let DuckDB skip every other row group.
-- Roles: care_team, centre_lead
-- Scope: own_centre
-- Patient rows: yes
with episode as (
    select centre_code, episode_id, pathway, treatment_date
    from episodes
    where centre_code = $centre_code and episode_id = $episode_id
),

casemix as (
    select c.*
    from marts.casemix_rows as c
    join episode as e using (pathway, treatment_date, centre_code, episode_id)
),

final as (
    select centre_code, episode_id, variable, kind, value_number, value_text
    from casemix
    order by variable
)

select * from final
