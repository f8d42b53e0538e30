-- Rebuild: per centre and pathway
-- PROM response per centre, pathway, invitation month and timepoint: questionnaire sets sent and answered.
-- Grain: one row per centre_code, pathway, month_date (first day of the month the invitation was
-- sent) and timepoint; an episode counts once per timepoint, answered when any instrument was.
with invitations as (
    select centre_code, pathway, episode_id, timepoint, completed_on, date_trunc('month', invited_on)::date as month_date
    from marts.prom_rows
    where invited_on is not null
),

per_episode as (
    select centre_code, pathway, month_date, timepoint, episode_id, bool_or(completed_on is not null) as is_answered
    from invitations
    group by centre_code, pathway, month_date, timepoint, episode_id
),

final as (
    select centre_code, pathway, month_date, timepoint,
        count(*) as invited_n,
        count(*) filter (where is_answered) as answered_n,
        100.0 * count(*) filter (where is_answered) / count(*) as response_pct
    from per_episode
    group by centre_code, pathway, month_date, timepoint
    order by centre_code, pathway, month_date, timepoint
)

select * from final
