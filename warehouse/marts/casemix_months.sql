-- Rebuild: per pathway and treatment month (month_date)
-- Case-mix completeness per centre, pathway, treatment month and case-mix variable.
-- Grain: one row per centre_code, pathway, month_date and variable of the pathway's outcome set
-- (from the view episode_casemix as the mart casemix_rows stores it, whatever the variable's origin);
-- fields_n episodes of the month, present_n of them with the variable delivered. A query sums the
-- variables it counts.
with fields as (
    select centre_code, pathway, date_trunc('month', treatment_date)::date as month_date, variable,
        value_number is not null or value_text is not null as is_present
    from marts.casemix_rows
),

final as (
    select centre_code, pathway, month_date, variable,
        count(*) as fields_n,
        count(*) filter (where is_present) as present_n
    from fields
    group by centre_code, pathway, month_date, variable
    order by centre_code, pathway, month_date, variable
)

select * from final
