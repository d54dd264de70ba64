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
 * that derivation is written in SQL. Each function takes `at`: an SQL
 * expression of an instant (null for now), to derive the lot as it stood
 * then from the fills made by that instant (one made at exactly `at` counts).
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

/** When execution `e` filled: its fill time, else (a producer that gave none) when it was recorded. */
const FILL_TIME_SQL = 'coalesce(e.filled_at, e.created_at)';
/** The fills of execution alias `e` that count as of `at`: all of them for now. */
const filledBySql = (at: string | null) => (at === null ? '' : ` and ${FILL_TIME_SQL} <= ${at}`);

/**
 * `position_lot(…)` over the fills of position `alias`: `{quantity, average
 * cost, fills, broken}`, null when it has no fill (by `at`).
 */
export function positionLotSql(alias: string, at: string | null = null): string {
  return `(select position_lot(${SIGNED_FILL_SQL}, e.fill_price order by e.id) filter (where e.filled_quantity > 0)
     from trade_executions e left join trade_decisions d on d.id = e.trade_decision_id
    where e.position_id = ${alias}.id${filledBySql(at)})`;
}

/** Fills of position `alias` bring it to zero: it is closed. */
const closedByFillsSql = (alias: string, at: string | null) => `(${positionLotSql(alias, at)})[1] = 0`;

/**
 * Status of position `alias`: the latest status-change event about it (an
 * explicit act), else closed when its fills bring it to zero, else open when
 * it has fills, else the status it was written with.
 */
export function positionStatusSql(alias: string, latestEventSql: string, at: string | null = null): string {
  return `coalesce(${latestEventSql},
                  case when ${closedByFillsSql(alias, at)} then 'closed'
                       when (${positionLotSql(alias, at)})[3] > 0 then 'open' end,
                  ${alias}.status)`;
}

/**
 * The columns a position's read model takes from its fills instead of its
 * opening state, as `select` items; with `at`, from the fills made by then.
 */
export function positionDerivedSelects(
  alias: string,
  at: string | null = null,
): { column: string; property: string; sql: string }[] {
  const lot = positionLotSql(alias, at);
  return [
    { column: 'lot_quantity', property: 'quantity', sql: `coalesce((${lot})[1], ${alias}.quantity)` },
    { column: 'lot_avg_cost', property: 'avgCost', sql: `coalesce((${lot})[2], ${alias}.avg_cost)` },
    {
      column: 'lot_closed_at',
      // The closing fill: a later execution that filled nothing (a rejection) does not close anything.
      property: 'closedAt',
      sql: `case when ${closedByFillsSql(alias, at)}
                 then (select e.filled_at from trade_executions e
                        where e.position_id = ${alias}.id and e.filled_quantity > 0${filledBySql(at)} order by e.id desc limit 1)
                 else ${alias}.closed_at end`,
    },
  ];
}
