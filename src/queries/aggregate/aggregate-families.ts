import type { EntityName } from '@mikro-orm/postgresql';
import { ApiPayload, AuditEvent, TradeDecision, TradeExecution } from '../../entities';

/** A bucket of the record's time: its local day, ISO week (from Monday) or month. */
export type TimeUnit = 'day' | 'week' | 'month';

/**
 * A key groups can be made by: a column of the record (a status is its
 * current status, derived as lists derive it), a column of the record a
 * many-to-one relation points at, or a bucket of the record's time.
 */
export type GroupKey =
  | { property: string; description?: string }
  | { relation: string; property: string; description?: string }
  | { unit: TimeUnit };

/**
 * A measure summed, averaged and bounded per group: a property, or the
 * product of two (a notional value, quantity × price: null, and so left out,
 * where either is null), or the milliseconds from one time to another.
 */
export type Measure = { description: string } & (
  { product: readonly [string] | readonly [string, string] } | { millisecondsFrom: string; to: string }
);

export type AggregateFamily = {
  entity: EntityName<object>;
  /** The records, for descriptions: "decisions". */
  records: string;
  /** The time buckets are taken of. */
  timeProperty: string;
  /** By key name (the field of the group's keys), in the order the enum lists them. */
  keys: Readonly<Record<string, GroupKey>>;
  measures: Readonly<Record<string, Measure>>;
};

const TIME_KEYS = { day: { unit: 'day' }, week: { unit: 'week' }, month: { unit: 'month' } } as const;
const DECIDED = 'of the decision carried out (null without one)';

/** The four aggregate families: which keys make sense for which records, and what is measured. */
export const AGGREGATE_FAMILIES = {
  TradeDecision: {
    entity: TradeDecision,
    records: 'decisions',
    timeProperty: 'createdAt',
    keys: {
      strategy: { property: 'strategy' },
      symbol: { property: 'symbol' },
      side: { property: 'side' },
      status: { property: 'status' },
      ...TIME_KEYS,
    },
    measures: {
      quantity: { description: 'The quantity decided.', product: ['quantity'] },
      notional: {
        description: 'quantity × limitPrice; decisions without a limit price (market orders) are left out.',
        product: ['quantity', 'limitPrice'],
      },
    },
  },
  TradeExecution: {
    entity: TradeExecution,
    records: 'executions',
    timeProperty: 'createdAt',
    keys: {
      strategy: { relation: 'tradeDecision', property: 'strategy', description: `The strategy ${DECIDED}.` },
      symbol: { relation: 'tradeDecision', property: 'symbol', description: `The symbol ${DECIDED}.` },
      side: { relation: 'tradeDecision', property: 'side', description: `The side ${DECIDED}.` },
      status: { property: 'status' },
      ...TIME_KEYS,
    },
    measures: {
      quantity: { description: 'The quantity filled.', product: ['filledQuantity'] },
      notional: {
        description: 'filledQuantity × fillPrice; executions without a fill price are left out.',
        product: ['filledQuantity', 'fillPrice'],
      },
      latency: {
        description:
          'Milliseconds from submittedAt to filledAt (to the microsecond); unfilled executions are left out.',
        millisecondsFrom: 'submittedAt',
        to: 'filledAt',
      },
    },
  },
  ApiPayload: {
    entity: ApiPayload,
    records: 'API payloads',
    timeProperty: 'createdAt',
    keys: {
      provider: { property: 'provider' },
      endpoint: { property: 'endpoint' },
      httpStatus: { property: 'httpStatus' },
      direction: { property: 'direction' },
      ...TIME_KEYS,
    },
    measures: {
      latency: {
        description: "latencyMs, the API call's milliseconds; payloads without one are left out.",
        product: ['latencyMs'],
      },
    },
  },
  AuditEvent: {
    entity: AuditEvent,
    records: 'audit events',
    timeProperty: 'occurredAt',
    keys: { logType: { property: 'logType' }, event: { property: 'event' }, ...TIME_KEYS },
    measures: {},
  },
} satisfies Record<string, AggregateFamily>;

export type AggregateFamilyName = keyof typeof AGGREGATE_FAMILIES;
