-- Is the outcome set live and well documented? Adoption figures per treatment month.
-- Grain: one row per centre per pathway per month from $from_month to $to_month (months without
-- treated patients included, so "not live" shows).
-- Parameters: $centre_code (null: every centre, national viewers only), $from_month, $to_month,
--   $casemix_pathways and $casemix_fields (parallel lists: the case-mix fields each pathway needs
--   beyond age and sex, from the outcome sets).
-- Live: data delivered in the three months around the month (the month before, the month itself
-- and the month after, when the month's own data is due).
-- Roles: care_team, centre_lead, programme_lead, admin
-- Scope: own_centre
-- Patient rows: no
with episodes as (
    select centre_code, episode_id, pathway, treatment_date, first_delivered_on, sdm_documented,
        bmi, asa_class, charlson_index,
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

required as (
    select unnest($casemix_pathways::varchar[]) as pathway, unnest($casemix_fields::varchar[]) as field_name
),

in_window as (
    select * from episodes
    where treatment_date >= $from_month::date and treatment_date < $to_month::date + interval 1 month
),

baseline_done as (
    select distinct p.centre_code, p.episode_id
    from prom_measurements as p
    join in_window as e using (centre_code, episode_id)
    where p.timepoint = 'baseline' and p.completed_on is not null
),

casemix_outcomes as (
    select distinct o.centre_code, o.episode_id, o.outcome as field_name
    from clinical_outcomes as o
    join in_window as e using (centre_code, episode_id)
    where o.outcome in (select field_name from required)
),

fields as (
    select e.centre_code, e.pathway, e.month_date, e.episode_id,
        case r.field_name
            when 'bmi' then e.bmi is not null
            when 'asa_class' then e.asa_class is not null
            when 'charlson_index' then e.charlson_index is not null
            when 'baseline_score' then b.episode_id is not null
            else o.episode_id is not null
        end as is_present
    from in_window as e
    join required as r using (pathway)
    left join baseline_done as b on b.centre_code = e.centre_code and b.episode_id = e.episode_id
    left join casemix_outcomes as o
        on o.centre_code = e.centre_code and o.episode_id = e.episode_id and o.field_name = r.field_name
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
