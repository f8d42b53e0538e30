-- Rebuild: per pathway and treatment month (month_date)
-- Adoption per centre, pathway and treatment month: treated episodes, shared decision documented,
-- delay from treatment to first delivery.
-- Grain: one row per centre_code, pathway and month_date (first day of the treatment month) with
-- treated episodes. sdm_documented_pct in percent; median_delay_days over the month's episodes.
with treated as (
    select centre_code, pathway, treatment_date, first_delivered_on, sdm_documented,
        date_trunc('month', treatment_date)::date as month_date
    from store.episodes
),

final as (
    select centre_code, pathway, month_date,
        count(*) as episodes_n,
        100.0 * count(*) filter (where sdm_documented) / count(*) as sdm_documented_pct,
        median(datediff('day', treatment_date, first_delivered_on)) as median_delay_days
    from treated
    group by centre_code, pathway, month_date
    order by centre_code, pathway, month_date
)

select * from final
