-- The runs of patients between a centre's events, per clinical outcome, for time-between-events
-- charts (g-charts) of rare events.
-- Grain: one row per outcome per run: the patients treated after an event up to and including
--   the next event, in treatment order (ties by episode id). interval_no counts the events before
--   the run; cases_n counts its patients without the event; event_date is the treatment month of
--   the patient whose event closes the run, null for the run still open at the end.
-- Parameters: $centre_code, $pathway, $from_month, $to_month (first days of months).
-- Outcomes from the layout mart warehouse/marts/outcome_rows.sql (carrying centre, pathway and month).
-- Roles: care_team, centre_lead
-- Scope: own_centre
-- Patient rows: no
with own as (
    select o.outcome, e.episode_id, e.treatment_date, o.value = 1 as is_event
    from episodes as e
    join marts.outcome_rows as o using (centre_code, pathway, episode_id)
    where e.centre_code = $centre_code and e.pathway = $pathway
        and e.treatment_date >= $from_month::date
        and e.treatment_date < $to_month::date + interval 1 month
        and o.centre_code = $centre_code and o.pathway = $pathway
        and o.month_date >= date_trunc('month', $from_month::date) and o.month_date <= $to_month::date
        and o.value is not null
),

numbered as (
    select outcome, treatment_date, is_event,
        coalesce(sum(is_event::int) over (
            partition by outcome order by treatment_date, episode_id
            rows between unbounded preceding and 1 preceding
        ), 0)::bigint as interval_no
    from own
),

final as (
    select outcome, interval_no,
        count(*) filter (where not is_event) as cases_n,
        date_trunc('month', max(treatment_date) filter (where is_event))::date as event_date
    from numbered
    group by outcome, interval_no
    order by outcome, interval_no
)

select * from final
