-- Is the cycle running? Adoption figures of one centre per pathway over the last 12 months.
-- Grain: one row per pathway the centre has delivered.
-- Parameters: $centre_code, $to_month (first day of the last month counted).
-- Roles: care_team, centre_lead, programme_lead, admin
-- Scope: own_centre
-- Patient rows: no
with own as (
    select s.*
    from store.episodes as s
    where s.centre_code = $centre_code
),

recent as (
    select * from own
    where treatment_date >= $to_month::date - interval 11 month
        and treatment_date < $to_month::date + interval 1 month
),

baseline as (
    select r.pathway,
        count(distinct p.episode_id) as prom_invited_n,
        count(distinct p.episode_id) filter (where p.completed_on is not null) as prom_completed_n
    from recent as r
    join prom_measurements as p using (centre_code, episode_id)
    where p.timepoint = 'baseline'
    group by r.pathway
),

per_pathway as (
    select pathway,
        max(first_delivered_on) as last_delivered_date,
        max(first_delivered_on) >= $to_month::date - interval 2 month as is_live
    from own
    group by pathway
),

recent_stats as (
    select pathway,
        count(*) as episodes_n,
        100.0 * count(*) filter (where sdm_documented) / count(*) as sdm_documented_pct,
        100.0 * (count(bmi) + count(asa_class) + count(charlson_index) + count(low_health_literacy))
            / (4 * count(*)) as casemix_complete_pct
    from recent
    group by pathway
),

final as (
    select p.pathway, p.last_delivered_date, p.is_live,
        coalesce(s.episodes_n, 0) as episodes_n,
        s.sdm_documented_pct,
        100.0 * b.prom_completed_n / nullif(b.prom_invited_n, 0) as prom_response_pct,
        s.casemix_complete_pct
    from per_pathway as p
    left join recent_stats as s using (pathway)
    left join baseline as b using (pathway)
    order by p.pathway
)

select * from final
