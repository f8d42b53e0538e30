-- Adoption figures of every centre and pathway for the national programme lead (no patient data).
-- Grain: one row per centre per pathway it has delivered.
-- Parameters: $to_month (first day of the last month counted).
-- Roles: programme_lead, admin
-- Scope: all_centres
-- Patient rows: no
with recent as (
    select * from store.episodes
    where treatment_date >= $to_month::date - interval 11 month
        and treatment_date < $to_month::date + interval 1 month
),

baseline as (
    select r.centre_code, r.pathway,
        count(distinct p.episode_id) as prom_invited_n,
        count(distinct p.episode_id) filter (where p.completed_on is not null) as prom_completed_n
    from recent as r
    join prom_measurements as p using (centre_code, episode_id)
    where p.timepoint = 'baseline'
    group by r.centre_code, r.pathway
),

delivered as (
    select centre_code, pathway, max(first_delivered_on) as last_delivered_date,
        max(first_delivered_on) >= $to_month::date - interval 2 month as is_live
    from store.episodes
    group by centre_code, pathway
),

recent_stats as (
    select centre_code, pathway, count(*) as episodes_n,
        100.0 * count(*) filter (where sdm_documented) / count(*) as sdm_documented_pct,
        100.0 * (count(bmi) + count(asa_class) + count(charlson_index) + count(low_health_literacy))
            / (4 * count(*)) as casemix_complete_pct,
        median(datediff('day', treatment_date, first_delivered_on)) as median_delay_days
    from recent
    group by centre_code, pathway
),

final as (
    select d.centre_code, c.name as centre_name, d.pathway, d.last_delivered_date, d.is_live,
        coalesce(s.episodes_n, 0) as episodes_n, s.sdm_documented_pct,
        100.0 * b.prom_completed_n / nullif(b.prom_invited_n, 0) as prom_response_pct,
        s.casemix_complete_pct, s.median_delay_days
    from delivered as d
    join centres as c using (centre_code)
    left join recent_stats as s using (centre_code, pathway)
    left join baseline as b using (centre_code, pathway)
    order by c.name, d.pathway
)

select * from final
