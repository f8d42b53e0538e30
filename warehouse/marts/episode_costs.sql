-- Rebuild: per pathway and treatment month (month_date)
-- Per-episode cost: the sum of an episode's cost rows, carrying its pathway and treatment month.
-- Grain: one row per centre_code and episode_id with at least one row in costs; stored ordered by
-- centre_code, pathway and month_date (zone maps skip the rest).
with own as (
    select centre_code, episode_id, pathway, date_trunc('month', treatment_date)::date as month_date
    from episodes
),

final as (
    select o.centre_code, o.pathway, o.month_date, o.episode_id, sum(c.amount_eur::decimal(38, 10))::double as cost_eur
    from own as o
    join costs as c using (centre_code, episode_id)
    group by o.centre_code, o.pathway, o.month_date, o.episode_id
    order by o.centre_code, o.pathway, o.month_date
)

select * from final
