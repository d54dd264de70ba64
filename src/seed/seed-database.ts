import pg from 'pg';
import { CopySink } from './copy-sink';
import { OLDER_TRANCHE, olderDecisionsFor, walkLineage } from './lineage-walk';
import { type PlantedAnswers, type PlantedDefects, TABLES, type WalkCounts } from './seed-rows';

export type SeedOptions = {
  scale: number;
  seed: number;
  anchor?: Date;
  /**
   * Whether to add the tranche older than two years; by default from scale
   * OLDER_TRANCHE_FROM_SCALE on (a small dataset with it serves where one
   * must be quick, as a test verifying the whole tree).
   */
  olderTranche?: boolean;
  onProgress?: (message: string) => void;
  /**
   * Every decision walked: each table's pass walks every decision once, so
   * `done` of `total` is the whole seed's share (`table` the one being loaded).
   */
  onWalk?: (done: number, total: number, table: string) => void;
};

export type SeedSummary = {
  scale: number;
  seed: number;
  anchor: string;
  durationMs: number;
  rows: {
    ingestionRuns: number;
    apiPayloads: number;
    tradeDecisions: number;
    decisionInputs: number;
    tradeExecutions: number;
    positions: number;
    /** The status_changed events of the generated lifecycles. */
    statusChanges: number;
    /** The NAV log's nav_calculated, one per trading day. */
    navEvents: number;
    /** The RISK log: risk_check per decision, limit_exceeded, circuit_breaker_triggered. */
    riskEvents: number;
    /** The COMPLIANCE log: restricted_list_check per decision, daily_logs_certified per trading day. */
    complianceEvents: number;
  };
  /**
   * The tranche older than two years (at scale 1 and above): its decisions,
   * and the span its ingestion runs start in; null below scale 1.
   */
  olderTranche: { decisions: number; from: string; to: string } | null;
  plantedDefects: PlantedDefects;
  /** Rows that answer the questions asked across the graph (where: on relations) on the generated data. */
  plantedAnswers: PlantedAnswers;
};

export class SeedError extends Error {
  override name = 'SeedError';
}

/**
 * The seed of the demo data `serve` loads into an empty embedded database:
 * the saved investigations' variables name rows of it.
 */
export const DEMO_SEED = 42;

/** Scale 1 is this many trade decisions. */
export const DECISIONS_PER_SCALE = 10_000;

/** From this scale on, the data also holds a tranche older than two years (below it, the demo stays small). */
export const OLDER_TRANCHE_FROM_SCALE = 1;

/**
 * Loads a generated, realistic lineage into an empty, migrated database, in
 * one transaction (a failure leaves nothing), one COPY per table. The same
 * seed, scale and anchor always produce the same rows.
 */
export async function seedDatabase(databaseUrl: string, options: SeedOptions): Promise<SeedSummary> {
  const decisions = validate(options);
  const olderDecisions = olderDecisionsFor(decisions, withOlderTranche(options));
  const anchor = options.anchor ?? startOfUtcDay(new Date());
  const progress = options.onProgress ?? (() => undefined);
  const started = Date.now();
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('begin');
    await assertEmptyLineage(client);
    let counts: WalkCounts | undefined;
    const total = TABLES.length * (decisions + olderDecisions);
    let walked = 0;
    for (const table of TABLES) {
      const onDecision = options.onWalk && (() => options.onWalk!(++walked, total, table));
      const tableStarted = Date.now();
      const sink = new CopySink(client, table);
      try {
        counts = await walkLineage(
          { decisions, olderDecisions, seed: options.seed, anchorMs: anchor.getTime(), onDecision },
          sink,
        );
        await sink.end();
      } catch (error) {
        await sink.abort(error instanceof Error ? error : new Error(String(error)));
        throw error;
      }
      const seconds = (Date.now() - tableStarted) / 1000;
      progress(
        `${table}: ${counts.rows[table]} rows in ${seconds.toFixed(1)} s ` +
          `(${Math.round(counts.rows[table] / Math.max(seconds, 0.001))} rows/s)`,
      );
    }
    for (const table of TABLES) {
      // decision_inputs has no id; audit_events are numbered by their own sequence as they are copied.
      if (table === 'decision_inputs' || table === 'audit_events') continue;
      await client.query(
        `select setval(pg_get_serial_sequence('${table}', 'id'), greatest((select max(id) from "${table}"), 1))`,
      );
    }
    await client.query('commit');
    // Vacuum as well as analyze: it sets the visibility map, so the audit's index-only scans
    // skip the heap at once rather than after autovacuum's first pass over the bulk load.
    progress('vacuuming and analyzing tables');
    await client.query(`vacuum (analyze) ${TABLES.map((table) => `"${table}"`).join(', ')}`);
    return {
      scale: options.scale,
      seed: options.seed,
      anchor: anchor.toISOString(),
      durationMs: Date.now() - started,
      rows: {
        ingestionRuns: counts!.rows.data_ingestion_runs,
        apiPayloads: counts!.rows.api_payloads,
        tradeDecisions: counts!.rows.trade_decisions,
        decisionInputs: counts!.rows.decision_inputs,
        tradeExecutions: counts!.rows.trade_executions,
        positions: counts!.rows.positions,
        statusChanges: counts!.events.statusChanges,
        navEvents: counts!.events.nav,
        riskEvents: counts!.events.risk,
        complianceEvents: counts!.events.compliance,
      },
      olderTranche:
        olderDecisions === 0
          ? null
          : {
              decisions: olderDecisions,
              from: new Date(anchor.getTime() - OLDER_TRANCHE.startsBeforeAnchorMs).toISOString(),
              to: new Date(anchor.getTime() - OLDER_TRANCHE.startsBeforeAnchorMs + OLDER_TRANCHE.spanMs).toISOString(),
            },
      plantedDefects: counts!.planted,
      plantedAnswers: counts!.answers,
    };
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}

/** Whether a seed adds the tranche older than two years: as asked, else from OLDER_TRANCHE_FROM_SCALE on. */
export function withOlderTranche(options: Pick<SeedOptions, 'scale' | 'olderTranche'>): boolean {
  return options.olderTranche ?? options.scale >= OLDER_TRANCHE_FROM_SCALE;
}

function validate(options: SeedOptions): number {
  if (
    typeof options.scale !== 'number' ||
    !Number.isFinite(options.scale) ||
    options.scale <= 0 ||
    options.scale > 1000
  ) {
    throw new SeedError(`scale must be a number above 0 and at most 1000; got ${String(options.scale)}`);
  }
  if (!Number.isSafeInteger(options.seed) || options.seed < 0) {
    throw new SeedError(`seed must be a non-negative integer; got ${String(options.seed)}`);
  }
  if (options.anchor && Number.isNaN(options.anchor.getTime())) throw new SeedError('anchor must be a valid date');
  return Math.max(1, Math.round(options.scale * DECISIONS_PER_SCALE));
}

async function assertEmptyLineage(client: pg.Client): Promise<void> {
  const { rows } = await client.query<{ missing: string | null }>(
    `select string_agg(name, ', ') as missing from unnest($1::text[]) as name where to_regclass(name) is null`,
    [TABLES],
  );
  if (rows[0]!.missing)
    throw new SeedError(`the database lacks the tables ${rows[0]!.missing}: run migrations first (auditgraph migrate)`);
  for (const table of TABLES) {
    const { rows: found } = await client.query<{ count: string }>(
      `select count(*) from (select 1 from "${table}" limit 1000000) t`,
    );
    if (found[0]!.count !== '0') {
      throw new SeedError(
        `the database already holds ${found[0]!.count} rows in ${table}; seed only an empty database`,
      );
    }
  }
}

function startOfUtcDay(date: Date): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
}
