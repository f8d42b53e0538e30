-- Rebuild: per pathway and treatment month (month_date)
-- Each answered PROM score beside the same instrument's baseline score, carrying the episode's pathway,
-- treatment and treatment date (what the PROM case-mix model of the peer comparison is fitted on).
-- Grain: one row per centre_code, episode_id, instrument and timepoint with a score, where the same
-- instrument has a baseline score (score_followup: the highest score of that timepoint, as delivered
-- once; the baseline row itself included). Stored ordered by pathway, instrument, timepoint and
-- treatment_date: one instrument and follow-up of one pathway in one period reads only its row groups.
-- Read from the layout mart prom_rows (month_date: the first day of the treatment month), so a rebuild of
-- some months reads only theirs.
with scored as (
    select centre_code, pathway, month_date, episode_id, instrument, timepoint, max(score) as score
    from marts.prom_rows
    where score is not null
    group by centre_code, pathway, month_date, episode_id, instrument, timepoint
),

baseline as (
    select centre_code, episode_id, instrument, score as score_baseline
    from scored
    where timepoint = 'baseline'
),

final as (
    select e.pathway, s.instrument, s.timepoint, e.treatment_date, e.centre_code, e.episode_id, e.treatment,
        b.score_baseline, s.score as score_followup, s.month_date
    from scored as s
    join baseline as b using (centre_code, episode_id, instrument)
    join episodes as e using (centre_code, episode_id)
    order by e.pathway, s.instrument, s.timepoint, e.treatment_date, e.centre_code, e.episode_id
)

select * from final
