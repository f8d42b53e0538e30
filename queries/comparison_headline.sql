-- The viewer's centre beside all centres together, for one clinical outcome over a period.
-- Grain: one row (the viewer's centre and the pooled total of all centres).
-- Parameters: $centre_code, $pathway, $outcome, $from_month, $to_month (first days of months).
-- Only counts leave this query; other centres appear only pooled, never by name.
with outcomes as (
    select e.centre_code, o.value
    from episodes as e
    join clinical_outcomes as o using (centre_code, episode_id)
    where e.pathway = $pathway and o.outcome = $outcome
        and e.treatment_date >= $from_month::date
        and e.treatment_date < $to_month::date + interval 1 month
),

final as (
    select
        count(*) filter (where centre_code = $centre_code) as own_recorded_n,
        count(*) filter (where centre_code = $centre_code and value = 1) as own_events_n,
        count(*) as all_recorded_n,
        count(*) filter (where value = 1) as all_events_n,
        count(distinct centre_code) as centres_n
    from outcomes
)

select * from final
