-- Is the outcome set live and well documented? Adoption figures per treatment month.
-- Grain: one row per centre per pathway per month from $from_month to $to_month (months without
-- treated patients included, so "not live" shows).
-- Parameters: $centre_code (null: every centre, national viewers only), $from_month, $to_month,
--   $casemix_pathways and $casemix_fields (parallel lists: the case-mix variables whose completeness
--   counts, per pathway, from the outcome sets: analytics.adoption.casemix_requirements).
-- Case-mix completeness: of those variables of the month's episodes, the share delivered, read from
-- the view episode_casemix whatever the variable's origin (an episode column, a clinical outcome,
-- the baseline score, a row of baseline_characteristics); this query names no variable.
-- Live: data delivered in the three months around the month (the month before, the month itself
-- and the month after, when the month's own data is due).
-- Reads the marts (warehouse/marts/adoption_months.sql, delivered_months.sql, casemix_months.sql),
-- built at publish time.
-- Roles: care_team, centre_lead, programme_lead, admin
-- Scope: own_centre
-- Patient rows: no
with months as (
    select unnest(generate_series($from_month::date, $to_month::date, interval 1 month))::date as month_date
),

delivered as (
    select centre_code, pathway, delivered_month_date
    from marts.delivered_months
    where ($centre_code::varchar is null or centre_code = $centre_code)
),

centre_pathways as (
    select distinct centre_code, pathway from delivered
),

grid as (
    select c.centre_code, c.pathway, m.month_date
    from centre_pathways as c
    cross join months as m
),

counted as (
    select unnest($casemix_pathways::varchar[]) as pathway, unnest($casemix_fields::varchar[]) as variable
),

casemix as (
    select c.centre_code, c.pathway, c.month_date, 100.0 * (sum(c.present_n) / sum(c.fields_n)) as casemix_complete_pct
    from marts.casemix_months as c
    join counted as k on k.pathway = c.pathway and k.variable = c.variable
    where ($centre_code::varchar is null or c.centre_code = $centre_code)
        and c.month_date >= $from_month::date and c.month_date <= $to_month::date
    group by c.centre_code, c.pathway, c.month_date
),

treated as (
    select centre_code, pathway, month_date, episodes_n, sdm_documented_pct, median_delay_days
    from marts.adoption_months
    where ($centre_code::varchar is null or centre_code = $centre_code)
        and month_date >= $from_month::date and month_date <= $to_month::date
),

live as (
    select g.centre_code, g.pathway, g.month_date, count(d.delivered_month_date) > 0 as is_live
    from grid as g
    left join delivered as d
        on d.centre_code = g.centre_code and d.pathway = g.pathway
        and d.delivered_month_date between g.month_date - interval 1 month and g.month_date + interval 1 month
    group by g.centre_code, g.pathway, g.month_date
),

final as (
    select g.centre_code, c.name as centre_name, g.pathway, g.month_date, l.is_live,
        coalesce(t.episodes_n, 0) as episodes_n, t.sdm_documented_pct, m.casemix_complete_pct, t.median_delay_days
    from grid as g
    join centres as c using (centre_code)
    join live as l using (centre_code, pathway, month_date)
    left join treated as t using (centre_code, pathway, month_date)
    left join casemix as m using (centre_code, pathway, month_date)
    order by c.name, g.pathway, g.month_date
)

select * from final
