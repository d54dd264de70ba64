import type { EntityClass } from '@mikro-orm/core';
import { tableNameOf } from '../database/entity-metadata';
import { ApiPayload, IngestionRun, Position, TradeDecision, TradeExecution } from '../entities';
import { SUBJECT_TABLES, type SubjectTable } from '../entities/audit-event.entity';
import { DecisionStatus } from '../entities/trade-decision.entity';
import { ExecutionStatus } from '../entities/trade-execution.entity';
import { IngestionRunStatus } from '../entities/ingestion-run.entity';
import { PositionStatus } from '../entities/position.entity';

/**
 * A record with a lifecycle: it is written with one status and moves on only
 * by appended `status_changed` events, along `transitions` (anything else is
 * refused). `kind` names it in the record API (`RecordKind`). `since` is the
 * time property from which it exists: as of an earlier instant it had no
 * status yet (time travel answers null, see src/queries/as-of.ts).
 */
export type Lifecycle<Status extends string = string> = {
  kind: string;
  transitions: Partial<Record<Status, readonly Status[]>>;
  since: string;
};

type NodeTypeDefinition<T> = {
  entity: EntityClass<T>;
  /** The producer's own id (unique): writes are idempotent on it, and lookups may use it. */
  externalKey: keyof T & string;
  lifecycle: Lifecycle | null;
};

const define = <T>(definition: NodeTypeDefinition<T>) => definition;

/**
 * Every node type of the lineage graph, in upstream-to-downstream order. The
 * key is the GraphQL type name, the entity's class name and the type a global
 * id names; the table comes from the entity's own MikroORM metadata. Edges
 * between node types are in relations.ts.
 */
export const NODE_TYPES = {
  IngestionRun: define({
    entity: IngestionRun,
    externalKey: 'runId',
    lifecycle: {
      kind: 'INGESTION_RUN',
      transitions: { [IngestionRunStatus.running]: [IngestionRunStatus.succeeded, IngestionRunStatus.failed] },
      since: 'startedAt',
    } satisfies Lifecycle<IngestionRunStatus>,
  }),
  ApiPayload: define({ entity: ApiPayload, externalKey: 'externalId', lifecycle: null }),
  TradeDecision: define({
    entity: TradeDecision,
    externalKey: 'decisionId',
    lifecycle: {
      kind: 'DECISION',
      transitions: {
        [DecisionStatus.pending]: [DecisionStatus.executed, DecisionStatus.failed, DecisionStatus.cancelled],
      },
      since: 'createdAt',
    } satisfies Lifecycle<DecisionStatus>,
  }),
  TradeExecution: define({
    entity: TradeExecution,
    externalKey: 'executionId',
    lifecycle: {
      kind: 'EXECUTION',
      transitions: {
        [ExecutionStatus.submitted]: [
          ExecutionStatus.filled,
          ExecutionStatus.partially_filled,
          ExecutionStatus.rejected,
          ExecutionStatus.cancelled,
        ],
        [ExecutionStatus.partially_filled]: [ExecutionStatus.filled, ExecutionStatus.cancelled],
      },
      since: 'createdAt',
    } satisfies Lifecycle<ExecutionStatus>,
  }),
  Position: define({
    entity: Position,
    externalKey: 'externalId',
    lifecycle: {
      kind: 'POSITION',
      transitions: { [PositionStatus.open]: [PositionStatus.closed] },
      since: 'openedAt',
    } satisfies Lifecycle<PositionStatus>,
  }),
};

export type NodeType = keyof typeof NODE_TYPES;
export const NODE_TYPE_NAMES = Object.keys(NODE_TYPES) as NodeType[];

export const isNodeType = (name: string): name is NodeType => Object.hasOwn(NODE_TYPES, name);

const TABLE_OF = Object.fromEntries(
  NODE_TYPE_NAMES.map((type) => {
    const table = tableNameOf(NODE_TYPES[type].entity as EntityClass<unknown>);
    // An event's subject_table names a node by its table: a node type's table must be one it can hold.
    if (!(SUBJECT_TABLES as readonly string[]).includes(table))
      throw new Error(`${type} is stored in ${table}, which is not one of the SUBJECT_TABLES`);
    return [type, table as SubjectTable];
  }),
) as Record<NodeType, SubjectTable>;

/** The table of a node type, as its entity declares it. */
export const tableOf = (type: NodeType): SubjectTable => TABLE_OF[type];

/** The node type stored in `table`, or null (a join table such as decision_inputs holds links, not nodes). */
export const nodeTypeOfTable = (table: string): NodeType | null =>
  NODE_TYPE_NAMES.find((type) => TABLE_OF[type] === table) ?? null;

/** The node types with a lifecycle, in registry order, each with its lifecycle. */
export const LIFECYCLE_TYPES = NODE_TYPE_NAMES.flatMap((type) => {
  const { lifecycle } = NODE_TYPES[type];
  return lifecycle ? [{ type, lifecycle }] : [];
});

/**
 * The statuses a record of a lifecycle can only be written with: no transition
 * leads to them (a decision's `pending`, an execution's `submitted`). A record
 * is in one of them exactly while it is unchanged since written.
 */
export function initialOnlyStatuses(lifecycle: Lifecycle): ReadonlySet<string> {
  const reached = new Set(Object.values(lifecycle.transitions).flatMap((targets) => targets ?? []));
  return new Set(Object.keys(lifecycle.transitions).filter((status) => !reached.has(status)));
}
