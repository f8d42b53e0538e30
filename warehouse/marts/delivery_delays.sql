-- Rebuild: per pathway and treatment month (month_date)
-- How fast episodes reach the warehouse, as a distribution: episodes per delay in days from treatment
-- date to first delivery, so a question can take the exact median of any pooling of centres.
-- Grain: one row per centre_code, pathway, month_date (first day of the treatment month) and
-- delay_days, with episodes_n (episodes of that delay). Ordered by month_date first: the delay
-- question asks recent months of every centre, so the zone maps skip the older row groups.
with delays as (
    select centre_code, pathway, date_trunc('month', treatment_date)::date as month_date,
        datediff('day', treatment_date, first_delivered_on) as delay_days
    from store.episodes
),

final as (
    select centre_code, pathway, month_date, delay_days, count(*) as episodes_n
    from delays
    group by centre_code, pathway, month_date, delay_days
    order by month_date, centre_code, pathway, delay_days
)

select * from final
