#!/usr/bin/env node
import 'reflect-metadata';
import { writeFile, readFile } from 'node:fs/promises';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ConfigError, loadConfig } from './config';
import { openDatabaseTarget } from './database/database-target';
import { applyPendingMigrations, createMigration } from './database/migrations';
import { createOrm } from './database/orm';
import { printGatewaySchema } from './graphql/schema';
import { logger } from './logger';
import { serve } from './serve';
import { SeedError, seedDatabase } from './seed/seed-database';

/** Exit codes scripts can rely on: 0 done, 1 failed while running, 2 could not start (bad arguments or configuration). */
const EXIT_FAILED = 1;
const EXIT_USAGE = 2;

function number(name: string, check: (value: number) => boolean, expected: string) {
  return (raw: string) => {
    const value = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(value) || !check(value)) {
      throw new InvalidArgumentError(`${name} must be ${expected}; got ${JSON.stringify(raw)}`);
    }
    return value;
  };
}

function instant(raw: string): Date {
  const value = new Date(raw);
  if (!/^\d{4}-\d{2}-\d{2}/.test(raw) || Number.isNaN(value.getTime())) {
    throw new InvalidArgumentError(`must be an ISO date or timestamp, e.g. 2026-11-23 or 2026-11-23T00:00:00Z; got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** Opens the configured database with the ORM, runs `work`, and always closes both. */
async function withOrm<T>(work: (orm: Awaited<ReturnType<typeof createOrm>>, url: string) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const target = await openDatabaseTarget(config);
  try {
    const orm = await createOrm({ databaseUrl: target.url, poolMax: config.poolMax });
    try {
      return await work(orm, target.url);
    } finally {
      await orm.close();
    }
  } finally {
    await target.stop();
  }
}

const program = new Command('auditgraph')
  .description('GraphQL audit query gateway: a trade\'s full provenance in one query')
  .exitOverride()
  .showHelpAfterError();

program
  .command('serve')
  .description('serve GraphQL (embedded PostgreSQL with demo data when DATABASE_URL is unset)')
  .option('--no-migrate', 'refuse to start when migrations are pending instead of applying them')
  .action(async (options: { migrate: boolean }) => {
    const config = loadConfig();
    await serve(config, { migrate: options.migrate && config.migrateOnStart });
  });

program
  .command('migrate')
  .description('apply pending database migrations')
  .action(async () => {
    const applied = await withOrm((orm) => applyPendingMigrations(orm));
    console.log(applied.length > 0 ? `applied: ${applied.join(', ')}` : 'the database is up to date');
  });

program
  .command('migration-create')
  .description('write a migration for the difference between the entities and the last snapshot')
  .argument('[name]', 'a few words for the file name, snake_case')
  .action(async (name: string | undefined) => {
    const file = await withOrm((orm) => createMigration(orm, name));
    console.log(file ? `wrote migrations/${file}: read it, then add it to migrations/index.ts` : 'no changes');
  });

program
  .command('seed')
  .description('load a deterministic, realistic generated dataset into an empty database')
  .addOption(
    new Option('--scale <n>', 'size: 1 = 10,000 decisions (fractions allowed)')
      .argParser(number('--scale', (value) => value > 0 && value <= 1000, 'a number above 0 and at most 1000'))
      .default(1),
  )
  .addOption(
    new Option('--seed <n>', 'random seed; the same seed, scale and anchor give the same data')
      .argParser(number('--seed', (value) => Number.isSafeInteger(value) && value >= 0, 'a non-negative integer'))
      .default(42),
  )
  .addOption(new Option('--anchor <date>', 'the data ends at this instant (default: start of today, UTC)').argParser(instant))
  .action(async (options: { scale: number; seed: number; anchor?: Date }) => {
    const summary = await withOrm(async (orm, url) => {
      await applyPendingMigrations(orm);
      return seedDatabase(url, { ...options, onProgress: (message) => console.error(message) });
    });
    console.log(JSON.stringify(summary, null, 2));
  });

program
  .command('schema')
  .description('write schema.graphql from the code (or check that it is current)')
  .option('--output <file>', 'where to write', 'schema.graphql')
  .option('--check', 'exit 1 when the file differs from the code instead of writing it')
  .action(async (options: { output: string; check?: boolean }) => {
    const sdl = await printGatewaySchema();
    if (options.check) {
      const current = await readFile(options.output, 'utf8').catch(() => '');
      if (current !== sdl) {
        console.error(`${options.output} is out of date: run \`npm run schema\``);
        process.exitCode = EXIT_FAILED;
      }
      return;
    }
    await writeFile(options.output, sdl);
    console.log(`wrote ${options.output}`);
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof CommanderError) {
    process.exit(error.exitCode === 0 ? 0 : EXIT_USAGE);
  }
  if (error instanceof ConfigError || error instanceof SeedError) {
    console.error(`auditgraph: ${error.message}`);
    process.exit(EXIT_USAGE);
  }
  logger.error({ err: error }, 'command failed');
  console.error(`auditgraph: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(EXIT_FAILED);
});
