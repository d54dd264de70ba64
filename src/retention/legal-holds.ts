import { tableNameOf } from '../database/entity-metadata';
import { LegalHold, type HoldScope } from '../entities/legal-hold.entity';
import { LegalHoldRelease } from '../entities/legal-hold-release.entity';
import { type NodeType, tableOf } from '../lineage/node-types';
import { columnsOf, type EdgeDirection, relationField } from '../lineage/relations';

/** A named scope and the column of a node type it is compared with. */
type NamedScope = Exclude<HoldScope, 'period'>;

/**
 * Where each named scope is found in the lineage: the columns of the storage
 * contract (DESIGN.md) that say a record is of that symbol, account or strategy.
 */
const SCOPE_COLUMNS: Partial<Record<NodeType, readonly { scope: NamedScope; column: string }[]>> = {
  TradeDecision: [
    { scope: 'symbol', column: 'symbol' },
    { scope: 'strategy', column: 'strategy' },
  ],
  Position: [
    { scope: 'symbol', column: 'symbol' },
    { scope: 'account', column: 'account' },
  ],
};

/**
 * The walks from a payload to the records a hold can name, as relation fields
 * of the lineage registry: the decisions it fed, and the positions they built;
 * the execution it was the broker request or response of, its decision and
 * its position. An input of a decision traded in a held account is evidence
 * of that account as much as the broker's response is.
 */
const WALKS: readonly (readonly string[])[] = [
  ['ApiPayload.decisions'],
  ['ApiPayload.decisions', 'TradeDecision.executions', 'TradeExecution.position'],
  ['ApiPayload.executions', 'TradeExecution.decision'],
  ['ApiPayload.executions', 'TradeExecution.position'],
];

/** Every sequence of edge directions a walk takes (a field such as ApiPayload.executions walks two edges). */
function directionsOf(walk: readonly string[]): EdgeDirection[][] {
  return walk.reduce<EdgeDirection[][]>(
    (paths, name) => {
      const [type, field] = name.split('.') as [NodeType, string];
      const directions = relationField(type, field);
      if (!directions) throw new Error(`legal holds: ${name} is no relation of the lineage registry`);
      return paths.flatMap((path) => directions.map((direction) => [...path, direction]));
    },
    [[]],
  );
}

/** The hold rows that are in force: placed and not released. */
const activeHolds = (alias: string) =>
  `${tableNameOf(LegalHold)} ${alias} where not exists (
     select from ${tableNameOf(LegalHoldRelease)} r where r.legal_hold_id = ${alias}.id)`;

/**
 * One walk as an EXISTS: from the payload `start`, each edge joined by the
 * columns the registry stores it in (a foreign key held by the node walked
 * from, one held by the node walked to, or a join table), and at its end a
 * held value of one of the reached record's scope columns.
 */
function walkExists(start: string, path: EdgeDirection[], prefix: string): string {
  const from: string[] = [];
  const where: string[] = [];
  let current = start;
  path.forEach((direction, step) => {
    const { table, near, far } = columnsOf(direction);
    const next = `${prefix}_${step}`;
    const target = tableOf(direction.leadsTo);
    if (direction.one) {
      from.push(`${target} ${next}`);
      where.push(`${next}.id = ${current}.${far}`);
    } else if (table === target) {
      from.push(`${target} ${next}`);
      where.push(`${next}.${near} = ${current}.id`);
    } else {
      from.push(`${table} ${next}_link`, `${target} ${next}`);
      where.push(`${next}_link.${near} = ${current}.id`, `${next}.id = ${next}_link.${far}`);
    }
    current = next;
  });
  const end = path[path.length - 1]!.leadsTo;
  const held = (SCOPE_COLUMNS[end] ?? []).map(
    ({ scope, column }) =>
      `exists (select from ${activeHolds('h')} and h.scope_kind = '${scope}' and h.${scope} = ${current}.${column})`,
  );
  return `exists (select from ${from.join(', ')} where ${where.join(' and ')} and (${held.join(' or ')}))`;
}

/** A period holds what was created on its days, UTC, first and last included. */
const periodExists = (start: string) =>
  `exists (select from ${activeHolds('h')} and h.scope_kind = 'period'
     and ${start}.created_at >= (h.period_from::timestamp at time zone 'UTC')
     and ${start}.created_at < ((h.period_to + 1)::timestamp at time zone 'UTC'))`;

/**
 * The one SQL predicate "this api_payloads row is under an active legal
 * hold", for the row named `alias` in the statement it is put in: a hold on
 * its period (its created_at), or on a symbol, account or strategy of a
 * record the lineage leads it to. Everything that deletes a body asks it.
 * Each walk follows the lineage's foreign-key indexes (decision_inputs and
 * trade_executions by payload, decision and position), so a payload costs a
 * few index probes whatever the number of holds (test/legal-holds.test.ts).
 */
export function payloadUnderHoldSql(alias: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(alias)) throw new Error(`payloadUnderHoldSql: ${alias} is no SQL alias`);
  const walks = WALKS.flatMap((walk, index) =>
    directionsOf(walk).map((path, variant) => walkExists(alias, path, `held_${index}_${variant}`)),
  );
  return `(${[periodExists(alias), ...walks].join('\n  or ')})`;
}
