-- What worked elsewhere: the practices other centres share for one pathway (and indicator), never a withdrawn one.
-- An anonymous practice carries no centre: its code and name never leave this query, only its kind.
-- Grain: one row per shared practice not withdrawn, of a centre other than $centre_code.
-- Parameters: $centre_code (the viewer's own centre, left out; null for national viewers: every centre),
--   $pathway, $indicator_code (null: every indicator of the pathway).
-- Roles: care_team, centre_lead, programme_lead
-- Scope: own_centre
-- Patient rows: no
-- Store: actions
with shared as (
    select * from shared_practices
    where withdrawn_at is null
        and pathway = $pathway
        and ($indicator_code::varchar is null or indicator_code = $indicator_code)
        and ($centre_code::varchar is null or centre_code <> $centre_code)
),

adoptions as (
    select origin_practice_id as practice_id, count(*) as adoptions_n
    from improvement_actions
    where origin_practice_id is not null
    group by origin_practice_id
),

final as (
    select s.practice_id, s.pathway, s.indicator_code, s.is_named, s.centre_kind,
        case when s.is_named then s.centre_code end as centre_code,
        case when s.is_named then s.centre_name end as centre_name,
        case when s.is_named then s.who end as who,
        s.what, s.expected_effect, s.result_note, s.start_month as start_month_date,
        s.effect_method, s.effect_verdict, s.withheld_reason, s.patients_before, s.patients_after,
        s.level_before, s.level_after, s.change, s.change_low, s.change_high, s.sustained_shift,
        s.shared_at::date as shared_date, coalesce(a.adoptions_n, 0) as adoptions_n
    from shared as s
    left join adoptions as a using (practice_id)
    order by s.practice_id
)

select * from final
