-- What the cost per patient is made of: mean cost per treated patient by category and month.
-- Grain: one row per treatment month per cost category.
-- Parameters: $centre_code, $pathway, $from_month, $to_month (first days of months).
-- Roles: care_team, centre_lead
-- Scope: own_centre
-- Patient rows: no
with own as (
    select centre_code, episode_id, date_trunc('month', treatment_date)::date as month_date
    from episodes
    where centre_code = $centre_code and pathway = $pathway
        and treatment_date >= $from_month::date
        and treatment_date < $to_month::date + interval 1 month
),

costed as (
    select o.month_date, count(distinct o.episode_id) as costed_n
    from own as o
    join costs as c using (centre_code, episode_id)
    group by o.month_date
),

by_category as (
    select o.month_date, c.category, sum(c.amount_eur) as amount_eur
    from own as o
    join costs as c using (centre_code, episode_id)
    group by o.month_date, c.category
),

final as (
    select b.month_date, b.category, b.amount_eur / k.costed_n as mean_cost_eur, k.costed_n
    from by_category as b
    join costed as k using (month_date)
    order by b.month_date, b.category
)

select * from final
