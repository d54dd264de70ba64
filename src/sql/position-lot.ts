/**
 * A position is one lot: opened by a fill, built by the fills after it,
 * closed by the fill that brings it back to zero (a fill through zero is
 * split by the importer: one leg closes the lot, the other opens the next).
 * Records never change, so the stored `positions` columns are the lot's
 * opening state, and what it is now — quantity, average cost, status,
 * closing time — is derived from its executions here, in exact `numeric`
 * (the `position_lot` aggregate, see its migration), folding the fills in
 * the order they were recorded (`id`: for an import, the log's own order,
 * which the importer requires to be time order). This is the one place
 * that derivation is written in SQL.
 */

/** A fill's quantity signed by its order's side: buys add, sells subtract (`e` an execution, `d` its decision). */
export const SIGNED_FILL_SQL = `case d.side when 'sell' then -e.filled_quantity else e.filled_quantity end`;

/**
 * Every position's lot at once, grouped (`position_id, state, first_quantity,
 * first_price`): for audits over many positions.
 */
export function positionLotsByPositionSql(): string {
  return `select e.position_id, position_lot(${SIGNED_FILL_SQL}, e.fill_price order by e.id) as state,
      (array_agg(${SIGNED_FILL_SQL} order by e.id))[1] as first_quantity,
      (array_agg(e.fill_price order by e.id))[1] as first_price
    from trade_executions e left join trade_decisions d on d.id = e.trade_decision_id
   where e.position_id is not null and e.filled_quantity > 0
   group by e.position_id`;
}

/**
 * `position_lot(…)` over the fills of position `alias`: `{quantity, average
 * cost, fills, broken}`, null when it has no fill.
 */
export function positionLotSql(alias: string): string {
  return `(select position_lot(${SIGNED_FILL_SQL}, e.fill_price order by e.id) filter (where e.filled_quantity > 0)
     from trade_executions e left join trade_decisions d on d.id = e.trade_decision_id
    where e.position_id = ${alias}.id)`;
}

/** Fills of position `alias` bring it to zero: it is closed. */
const closedByFillsSql = (alias: string) => `(${positionLotSql(alias)})[1] = 0`;

/**
 * Status of position `alias`: the latest status-change event about it (an
 * explicit act), else closed when its fills bring it to zero, else open when
 * it has fills, else the status it was written with.
 */
export function positionStatusSql(alias: string, latestEventSql: string): string {
  return `coalesce(${latestEventSql},
                  case when ${closedByFillsSql(alias)} then 'closed'
                       when (${positionLotSql(alias)})[3] > 0 then 'open' end,
                  ${alias}.status)`;
}

/** The columns a position's read model takes from its fills instead of its opening state, as `select` items. */
export function positionDerivedSelects(alias: string): { column: string; property: string; sql: string }[] {
  return [
    { column: 'lot_quantity', property: 'quantity', sql: `coalesce((${positionLotSql(alias)})[1], ${alias}.quantity)` },
    { column: 'lot_avg_cost', property: 'avgCost', sql: `coalesce((${positionLotSql(alias)})[2], ${alias}.avg_cost)` },
    {
      column: 'lot_closed_at',
      // The closing fill: a later execution that filled nothing (a rejection) does not close anything.
      property: 'closedAt',
      sql: `case when ${closedByFillsSql(alias)}
                 then (select e.filled_at from trade_executions e
                        where e.position_id = ${alias}.id and e.filled_quantity > 0 order by e.id desc limit 1)
                 else ${alias}.closed_at end`,
    },
  ];
}
