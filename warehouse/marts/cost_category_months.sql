-- Rebuild: per pathway and treatment month (month_date)
-- Cost per category per centre, pathway and treatment month.
-- Grain: one row per centre_code, pathway, month_date (first day of the treatment month) and cost
-- category with costs; amount_eur summed over the month's episodes. The number of costed episodes
-- of the month is indicator_months' cases_n of cost_mean_eur.
with own as (
    select centre_code, episode_id, pathway, date_trunc('month', treatment_date)::date as month_date
    from episodes
),

final as (
    select o.centre_code, o.pathway, o.month_date, c.category, sum(c.amount_eur::decimal(38, 10))::double as amount_eur
    from own as o
    join costs as c using (centre_code, episode_id)
    group by o.centre_code, o.pathway, o.month_date, c.category
    order by o.centre_code, o.pathway, o.month_date, c.category
)

select * from final
