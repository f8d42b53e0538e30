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
-- Roles: care_team, centre_lead, programme_lead, admin
-- Scope: own_centre
-- Patient rows: no
with episodes as (
    select centre_code, episode_id, pathway, treatment_date, first_delivered_on, sdm_documented,
        date_trunc('month', treatment_date)::date as month_date
    from store.episodes
    where ($centre_code::varchar is null or centre_code = $centre_code)
),

months as (
    select unnest(generate_series($from_month::date, $to_month::date, interval 1 month))::date as month_date
),

centre_pathways as (
    select distinct centre_code, pathway from episodes
),

grid as (
    select c.centre_code, c.pathway, m.month_date
    from centre_pathways as c
    cross join months as m
),

counted as (
    select unnest($casemix_pathways::varchar[]) as pathway, unnest($casemix_fields::varchar[]) as variable
),

in_window as (
    select * from episodes
    where treatment_date >= $from_month::date and treatment_date < $to_month::date + interval 1 month
),

fields as (
    select e.centre_code, e.pathway, e.month_date, e.episode_id, c.variable,
        c.value_number is not null or c.value_text is not null as is_present
    from in_window as e
    join episode_casemix as c using (centre_code, episode_id)
    join counted as k on k.pathway = c.pathway and k.variable = c.variable
),

casemix as (
    select centre_code, pathway, month_date, 100.0 * avg(is_present::int) as casemix_complete_pct
    from fields
    group by centre_code, pathway, month_date
),

treated as (
    select centre_code, pathway, month_date,
        count(*) as episodes_n,
        100.0 * count(*) filter (where sdm_documented) / count(*) as sdm_documented_pct,
        median(datediff('day', treatment_date, first_delivered_on)) as median_delay_days
    from in_window
    group by centre_code, pathway, month_date
),

delivered as (
    select distinct centre_code, pathway, date_trunc('month', first_delivered_on)::date as delivered_month_date
    from episodes
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
