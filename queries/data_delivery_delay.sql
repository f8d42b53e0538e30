-- How fast episodes reach the warehouse: days from treatment date to first delivery.
-- Grain: one row per treatment month from $from_month on.
-- Parameters: $centre_code, $from_month. Other centres appear only pooled, never by name.
-- Roles: data_manager, admin
-- Scope: own_centre
-- Patient rows: no
with delays as (
    select centre_code, date_trunc('month', treatment_date)::date as month_date,
        datediff('day', treatment_date, first_delivered_on) as delay_days
    from store.episodes
    where treatment_date >= $from_month::date
),

final as (
    select month_date,
        median(delay_days) filter (where centre_code = $centre_code) as own_median_delay_days,
        median(delay_days) as national_median_delay_days,
        count(*) filter (where centre_code = $centre_code) as own_episodes_n
    from delays
    group by month_date
    order by month_date
)

select * from final
