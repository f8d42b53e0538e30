-- The months a centre has treated episodes in one pathway, and the last complete month:
-- the month before the latest delivery of that centre, or the last treated month if earlier.
-- Grain: one row per month with episodes.
-- Parameters: $centre_code (null: all centres, for national viewers), $pathway.
-- Roles: care_team, centre_lead, data_manager, programme_lead, admin
-- Scope: own_centre
-- Patient rows: no
with own as (
    select e.treatment_date, s.first_delivered_on
    from episodes as e
    join store.episodes as s using (centre_code, episode_id)
    where ($centre_code is null or e.centre_code = $centre_code) and e.pathway = $pathway
),

months as (
    select distinct date_trunc('month', treatment_date)::date as month_date from own
),

latest as (
    select least(
        date_trunc('month', max(first_delivered_on))::date - interval 1 month,
        max(date_trunc('month', treatment_date))
    )::date as last_complete_month_date
    from own
),

final as (
    select m.month_date, m.month_date = l.last_complete_month_date as is_last_complete
    from months as m
    cross join latest as l
    where m.month_date <= l.last_complete_month_date
    order by m.month_date
)

select * from final
