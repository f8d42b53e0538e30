-- The months a centre has treated episodes in one pathway, and the last complete month.
-- A month is complete once every centre in view has delivered after it: the month before the latest
-- delivery of a centre (or its last treated month if earlier); for all centres together (national
-- viewers) the earliest of those, so a centre that delivers later never makes the latest month look low.
-- Months after the last complete one are still being delivered and are left out.
-- Grain: one row per complete month with episodes.
-- Parameters: $centre_code (null: all centres, for national viewers), $pathway.
-- Roles: care_team, centre_lead, data_manager, programme_lead, admin
-- Scope: own_centre
-- Patient rows: no
with own as (
    select e.centre_code, e.treatment_date, s.first_delivered_on
    from episodes as e
    join store.episodes as s using (centre_code, episode_id)
    where ($centre_code is null or e.centre_code = $centre_code) and e.pathway = $pathway
),

months as (
    select distinct date_trunc('month', treatment_date)::date as month_date from own
),

per_centre as (
    select least(
        date_trunc('month', max(first_delivered_on))::date - interval 1 month,
        max(date_trunc('month', treatment_date))
    )::date as complete_month_date
    from own
    group by centre_code
),

latest as (
    select min(complete_month_date) as last_complete_month_date from per_centre
),

final as (
    select m.month_date, m.month_date = l.last_complete_month_date as is_last_complete
    from months as m
    cross join latest as l
    where m.month_date <= l.last_complete_month_date
    order by m.month_date
)

select * from final
