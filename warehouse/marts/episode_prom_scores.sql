-- Rebuild: per pathway and treatment month (month_date)
-- Per-episode PROM summary: each instrument's score at every timepoint of the data standard.
-- Grain: one row per centre_code, episode_id and instrument with at least one invitation; the
-- scores at baseline, 3m, 6m and 12m as columns (empty when not answered or not sent).
-- Carries pathway and treatment month; ordered by centre_code, pathway and month_date.
with final as (
    select centre_code, pathway, month_date, episode_id, instrument,
        max(score) filter (where timepoint = 'baseline') as score_baseline,
        max(score) filter (where timepoint = '3m') as score_3m,
        max(score) filter (where timepoint = '6m') as score_6m,
        max(score) filter (where timepoint = '12m') as score_12m
    from marts.prom_rows
    group by centre_code, pathway, month_date, episode_id, instrument
    order by centre_code, pathway, month_date
)

select * from final
