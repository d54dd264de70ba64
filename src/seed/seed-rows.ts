import type { CopyValue } from './copy-text';

/**
 * Tables in foreign-key order: each is loaded after everything it references;
 * the events (audit_events: lifecycles' status changes, pre-trade checks, end-of-day NAV and certification) last.
 */
export const TABLES = [
  'data_ingestion_runs',
  'api_payloads',
  'positions',
  'trade_decisions',
  'decision_inputs',
  'trade_executions',
  'audit_events',
] as const;
export type Table = (typeof TABLES)[number];

/** A row by column name; a sink lays it out in its table's column order. */
export type SeedRow = Readonly<Record<string, CopyValue>>;

/** Receives the rows of one table; `add` answers true when it wants a `flush` (backpressure). */
export interface RowSink {
  readonly table: Table;
  add(row: SeedRow): boolean;
  flush(): Promise<void>;
}

export type PlantedDefects = {
  decisionsWithoutRationale: number;
  executionsMissingPayloadLink: number;
  decisionsWithTwoExecutions: number;
  pendingDecisionsStuck: number;
};
/**
 * Answers planted for the questions investigators ask across the graph (not
 * defects: real runs fail after fetching, and strategies read what they got).
 */
export type PlantedAnswers = {
  /** Decisions fed by a run that fetched its records, then failed on a later call. */
  decisionsFedByFailedRun: number;
  /** Of those, decisions also fed by the run's failed call (HTTP ≥ 400): a strategy that read an error body. */
  decisionsFedByErrorPayload: number;
};
/** The families of generated events, counted apart in the seed's summary. */
export type EventKind = 'statusChanges' | 'nav' | 'risk' | 'compliance';
export type EventCounts = Record<EventKind, number>;
export const noEvents = (): EventCounts => ({ statusChanges: 0, nav: 0, risk: 0, compliance: 0 });

export type WalkCounts = {
  rows: Record<Table, number>;
  planted: PlantedDefects;
  answers: PlantedAnswers;
  /** The audit_events rows, by family. */
  events: EventCounts;
};
