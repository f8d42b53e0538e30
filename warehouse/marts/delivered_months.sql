-- Rebuild: per centre and pathway
-- The months in which each centre first delivered episodes of each pathway (what "live" reads).
-- Grain: one row per centre_code, pathway and delivered_month_date (first day of the month of an
-- episode's first delivery).
with final as (
    select distinct centre_code, pathway, date_trunc('month', first_delivered_on)::date as delivered_month_date
    from store.episodes
    order by centre_code, pathway, delivered_month_date
)

select * from final
