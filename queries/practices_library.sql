-- The programme's library of shared practices: per practice, how often teams adopted it and what they measured.
-- What adopters measured is the effect of their adopting action where they shared it in turn.
-- An anonymous practice carries no centre here either: only its kind.
-- Grain: one row per shared practice not withdrawn.
-- Parameters: $pathway (null: every pathway).
-- Roles: programme_lead
-- Scope: all_centres
-- Patient rows: no
-- Store: actions
with shared as (
    select * from shared_practices
    where withdrawn_at is null and ($pathway::varchar is null or pathway = $pathway)
),

adopted as (
    select a.origin_practice_id as practice_id, a.action_id, a.status, s.effect_verdict
    from improvement_actions as a
    left join shared_practices as s on s.action_id = a.action_id and s.withdrawn_at is null
    where a.origin_practice_id is not null
),

counted as (
    select practice_id,
        count(*) as adoptions_n,
        count(*) filter (where status = 'done') as adoptions_done_n,
        count(*) filter (where effect_verdict is not null and effect_verdict <> 'not_measured') as adopters_measured_n,
        count(*) filter (where effect_verdict = 'improved') as adopters_improved_n
    from adopted
    group by practice_id
),

final as (
    select s.practice_id, s.pathway, s.indicator_code, s.is_named, s.centre_kind,
        case when s.is_named then s.centre_name end as centre_name,
        s.what, s.effect_verdict, s.withheld_reason, s.change, s.change_low, s.change_high, s.effect_method,
        s.shared_at::date as shared_date,
        coalesce(c.adoptions_n, 0) as adoptions_n, coalesce(c.adoptions_done_n, 0) as adoptions_done_n,
        coalesce(c.adopters_measured_n, 0) as adopters_measured_n,
        coalesce(c.adopters_improved_n, 0) as adopters_improved_n
    from shared as s
    left join counted as c using (practice_id)
    order by s.pathway, s.indicator_code, s.practice_id
)

select * from final
