-- INTERNAL to the peer-comparison service (services/peer_comparison.py): each centre's kind and its
-- number of episodes of the pathway in the period, to form the chosen peer group (university
-- centres, or centres of similar volume). Never returned to a page: only the group's protected
-- comparison is.
-- Grain: one row per centre with at least one episode of the pathway in the period.
-- Parameters: $pathway, $from_month, $to_month (first days of months).
-- Reads the mart warehouse/marts/adoption_months.sql (episodes per centre, pathway and treatment month).
-- Roles: none
-- Scope: internal
-- Patient rows: no
with volumes as (
    select centre_code, sum(episodes_n)::bigint as episodes_n
    from marts.adoption_months
    where pathway = $pathway
        and month_date >= $from_month::date
        and month_date <= $to_month::date
    group by centre_code
),

final as (
    select v.centre_code, c.kind, v.episodes_n
    from volumes as v
    join centres as c using (centre_code)
)

select * from final
