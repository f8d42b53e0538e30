-- The months a centre has treated episodes in one pathway, and the last complete month.
-- A month is complete once every centre in view has delivered after it: the month before the latest
-- delivery of a centre (or its last treated month if earlier); for all centres together (national
-- viewers) the earliest of those, so a centre that delivers later never makes the latest month look low.
-- Months after the last complete one are still being delivered and are left out.
-- Grain: one row per complete month with episodes.
-- Parameters: $centre_code (null: all centres, for national viewers), $pathway.
-- Reads the marts warehouse/marts/adoption_months.sql (treated months per centre and pathway) and
-- delivered_months.sql (the months each centre delivered in).
-- Roles: care_team, centre_lead, data_manager, programme_lead, admin
-- Scope: own_centre
-- Patient rows: no
with treated as (
    select centre_code, month_date
    from marts.adoption_months
    where ($centre_code is null or centre_code = $centre_code) and pathway = $pathway
),

delivered as (
    select centre_code, max(delivered_month_date) as last_delivered_month_date
    from marts.delivered_months
    where ($centre_code is null or centre_code = $centre_code) and pathway = $pathway
    group by centre_code
),

months as (
    select distinct month_date from treated
),

per_centre as (
    select least(d.last_delivered_month_date - interval 1 month, max(t.month_date))::date as complete_month_date
    from treated as t
    join delivered as d using (centre_code)
    group by t.centre_code, d.last_delivered_month_date
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
