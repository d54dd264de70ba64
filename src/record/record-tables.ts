import type { EntityClass } from '@mikro-orm/core';
import { columnOf, persistedColumnsOf, tableNameOf } from '../database/entity-metadata';
import { AuditEvent } from '../entities';
import { NODE_TYPE_NAMES, NODE_TYPES, type NodeType } from '../lineage/node-types';

/**
 * How producers' records land in the lineage tables: each table's external
 * id (the producer's own key, on which writes are idempotent) and the columns
 * a producer sets, which are compared when a record arrives a second time.
 * All of it is read from the entities' MikroORM metadata.
 *
 * Only names are kept here: how two values compare (`10.5` and
 * `10.50000000`, two spellings of one instant, reordered JSON keys) is the
 * column type's own rule, applied by PostgreSQL through the table's row type.
 */
export type RecordTable = {
  table: string;
  /** The row id the database gives a record (an event's is its seq): what links and answers carry. */
  idColumn: string;
  /** The unique column holding the producer's id. */
  externalId: string;
  /** Every column a producer sets, in the order a CONFLICT message names them. */
  columns: readonly string[];
};

/**
 * The external id, then the entity's other columns in its order, less the
 * row id the database generates and the properties in `notCompared`.
 */
function recordTableOf<T>(
  entity: EntityClass<T>,
  externalKey: keyof T & string,
  notCompared: readonly string[] = [],
): RecordTable {
  const externalId = columnOf(entity, externalKey);
  const persisted = persistedColumnsOf(entity);
  const primary = persisted.filter((column) => column.primary);
  if (primary.length !== 1) throw new Error(`${entity.name} is not keyed by one row id`);
  const unknown = notCompared.find((property) => !persisted.some((column) => column.property === property));
  if (unknown) throw new Error(`${entity.name} has no column ${unknown} to leave uncompared`);
  const columns = persisted
    .filter(({ property, column, primary }) => !primary && !notCompared.includes(property) && column !== externalId)
    .map(({ column }) => column);
  return { table: tableNameOf(entity), idColumn: primary[0]!.column, externalId, columns: [externalId, ...columns] };
}

/**
 * Properties a second recording does not compare. payload_bytes: the gateway
 * measures it from the body as it was spelled (`1e400` is 5 bytes, `-0` 2),
 * while jsonb keeps the number (401 digits, `0`), so the body read back and
 * sent again would differ in size alone. The body itself is compared, as
 * jsonb; its first size stays.
 */
const NOT_COMPARED: Partial<Record<NodeType, readonly string[]>> = { ApiPayload: ['payloadBytes'] };

/** The record table of each node type. */
export const RECORD_TABLE_OF = Object.fromEntries(
  NODE_TYPE_NAMES.map((type) => {
    const { entity, externalKey } = NODE_TYPES[type];
    return [type, recordTableOf(entity as EntityClass<unknown>, externalKey as never, NOT_COMPARED[type])];
  }),
) as Record<NodeType, RecordTable>;

export const RUNS = RECORD_TABLE_OF.IngestionRun;
export const PAYLOADS = RECORD_TABLE_OF.ApiPayload;
export const DECISIONS = RECORD_TABLE_OF.TradeDecision;
export const POSITIONS = RECORD_TABLE_OF.Position;
export const EXECUTIONS = RECORD_TABLE_OF.TradeExecution;

/**
 * Events compare on what happened, not on who appended them (actor) or when
 * the database did (recorded_at); seq is the database's, and the row keys and
 * hashes belong to the legacy chain's records_written events (null since).
 */
export const EVENTS = recordTableOf(AuditEvent, 'externalId', [
  'actor',
  'recordedAt',
  'recordIds',
  'recordHashes',
  'prevHash',
  'hash',
]);
