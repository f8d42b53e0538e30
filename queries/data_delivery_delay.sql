-- How fast episodes reach the warehouse: days from treatment date to first delivery.
-- Grain: one row per treatment month from $from_month on.
-- Parameters: $centre_code, $from_month. Other centres appear only pooled, never by name.
-- Reads the mart warehouse/marts/delivery_delays.sql (episodes per centre, pathway, treatment month and
-- delay in days); the medians are exact: the middle delay of the month's episodes in delay order, or the
-- mean of the two middle ones when their number is even (as DuckDB's median of integers).
-- Roles: data_manager, admin
-- Scope: own_centre
-- Patient rows: no
with counts as (
    select month_date, delay_days,
        sum(episodes_n) as all_n,
        coalesce(sum(episodes_n) filter (where centre_code = $centre_code), 0) as own_n
    from marts.delivery_delays
    where month_date >= $from_month::date
    group by month_date, delay_days
),

running as (
    -- episodes up to and including each delay (delay_days is unique per month, so the default frame is exact)
    select month_date, delay_days,
        sum(all_n) over (partition by month_date order by delay_days) as all_upto_n,
        sum(all_n) over (partition by month_date) as all_total_n,
        sum(own_n) over (partition by month_date order by delay_days) as own_upto_n,
        sum(own_n) over (partition by month_date) as own_total_n
    from counts
),

middles as (
    -- the delays at the lower and upper middle positions, (n + 1) // 2 and n // 2 + 1 (the same when n is odd)
    select month_date,
        min(delay_days) filter (where all_upto_n >= (all_total_n + 1) // 2) as all_low_days,
        min(delay_days) filter (where all_upto_n >= all_total_n // 2 + 1) as all_high_days,
        min(delay_days) filter (where own_total_n > 0 and own_upto_n >= (own_total_n + 1) // 2) as own_low_days,
        min(delay_days) filter (where own_total_n > 0 and own_upto_n >= own_total_n // 2 + 1) as own_high_days,
        max(own_total_n) as own_total_n
    from running
    group by month_date
),

final as (
    select month_date,
        (own_low_days + own_high_days)::double / 2 as own_median_delay_days,
        (all_low_days + all_high_days)::double / 2 as national_median_delay_days,
        own_total_n::bigint as own_episodes_n
    from middles
    order by month_date
)

select * from final
