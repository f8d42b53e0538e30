-- What the cost per patient is made of: mean cost per treated patient by category and month.
-- Grain: one row per treatment month per cost category.
-- Parameters: $centre_code, $pathway, $from_month, $to_month (first days of months).
-- Reads the marts (warehouse/marts/cost_category_months.sql, indicator_months.sql), built at publish time.
-- Roles: care_team, centre_lead
-- Scope: own_centre
-- Patient rows: no
with by_category as (
    select month_date, category, amount_eur
    from marts.cost_category_months
    where centre_code = $centre_code and pathway = $pathway
        and month_date >= $from_month::date and month_date <= $to_month::date
),

costed as (
    select month_date, cases_n as costed_n
    from marts.indicator_months
    where centre_code = $centre_code and pathway = $pathway and family = 'cost_mean_eur'
        and month_date >= $from_month::date and month_date <= $to_month::date
),

final as (
    select b.month_date, b.category, b.amount_eur / k.costed_n as mean_cost_eur, k.costed_n
    from by_category as b
    join costed as k using (month_date)
    order by b.month_date, b.category
)

select * from final
