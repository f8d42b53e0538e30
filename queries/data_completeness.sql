-- How complete a centre's episode data are: the share of filled-in values per column.
-- Grain: one row per pathway per episode column.
-- Parameters: $centre_code.
-- Roles: data_manager, admin
-- Scope: own_centre
-- Patient rows: no
with own as (
    select * exclude (centre_code)
    from episodes
    where centre_code = $centre_code
),

filled as (
    select pathway as pathway_code, count(*) as episodes_n, count(columns(* exclude (pathway)))
    from own
    group by pathway
),

cells as (
    unpivot filled
    on columns(* exclude (pathway_code, episodes_n))
    into name column_name value filled_n
),

final as (
    select pathway_code as pathway, column_name, episodes_n, filled_n,
        round(100.0 * filled_n / episodes_n, 1) as filled_pct
    from cells
    order by pathway_code, filled_pct, column_name
)

select * from final
