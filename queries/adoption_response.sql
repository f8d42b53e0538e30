-- Do patients answer? PROM response per timepoint: questionnaires answered of those sent.
-- Grain: one row per centre per pathway per invitation month per timepoint, from $from_month to
-- $to_month (an invitation counts in the month it was sent; answered at any time since).
-- Parameters: $centre_code (null: every centre, national viewers only), $from_month, $to_month.
-- Roles: care_team, centre_lead, programme_lead, admin
-- Scope: own_centre
-- Patient rows: no
with invitations as (
    select p.centre_code, e.pathway, p.episode_id, p.timepoint, p.completed_on,
        date_trunc('month', p.invited_on)::date as month_date
    from prom_measurements as p
    join store.episodes as e using (centre_code, episode_id)
    where ($centre_code::varchar is null or p.centre_code = $centre_code)
        and p.invited_on >= $from_month::date and p.invited_on < $to_month::date + interval 1 month
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
