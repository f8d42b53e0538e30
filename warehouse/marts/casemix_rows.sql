-- Rebuild: per pathway and treatment month (treatment_date)
-- Layout mart: the view episode_casemix stored, so no question computes it at view time.
-- Grain: one row per episode and case-mix variable of its outcome set (whatever table delivers the
-- variable; a row also when the value is missing), as the view has it, carrying the episode's
-- treatment_date. Stored ordered by pathway, treatment_date, centre_code and episode_id: the pooled
-- rows of one pathway and period (peer_casemix) and one episode's rows (trajectory_casemix, by its
-- pathway and treatment date) read only the row groups that hold them (DuckDB's zone maps).
with episode_keys as (
    select centre_code, episode_id, treatment_date
    from episodes
),

final as (
    select c.pathway, e.treatment_date, c.centre_code, c.episode_id, c.variable, c.kind, c.origin,
        c.value_number, c.value_text
    from episode_casemix as c
    join episode_keys as e using (centre_code, episode_id)
    order by c.pathway, e.treatment_date, c.centre_code, c.episode_id, c.variable
)

select * from final
