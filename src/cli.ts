#!/usr/bin/env node
import 'reflect-metadata';
import { writeFile, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { loadConfig } from './config';
import { openDatabaseTarget } from './database/database-target';
import { applyPendingMigrations, assertMigrated, createMigration } from './database/migrations';
import { createOrm } from './database/orm';
import { printGatewaySchema } from './graphql/schema';
import { logger } from './logger';
import { serve } from './serve';
import { BadInputError } from './errors';
import { integrityReport } from './reports/integrity.report';
import { verifyChain } from './chain/verify-chain';
import { dayPeriod, daysPeriod, quarterPeriod } from './reports/period';
import {
  integrityTable,
  REPORTS,
  type ReportName,
  type ReportOptions,
  type Table,
  tableCsv,
  tableText,
} from './reports/report-catalog';
import { seedDatabase } from './seed/seed-database';
import { createApiKey, listApiKeys, revokeApiKey } from './auth/api-keys';
import { type Role, ROLES } from './auth/roles';
import { userInfo } from 'node:os';
import { purgePayloadBodies, retentionWindow } from './retention/retention-purge';
import { storageSummary } from './retention/storage-summary';
import { ImportError, importFile } from './import/import-files';
import { progressReporter } from './import/import-progress';
import { stringifyExactJson } from './json/exact-json';
import { dayStart, type Instant, InstantError, instantOf, millisecondsOf, parseDateTime } from './time/instant';
import { describeFailure, EXIT_DONE, EXIT_FOUND, exitWith } from './command-failure';

function number(name: string, check: (value: number) => boolean, expected: string) {
  return (raw: string) => {
    const value = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(value) || !check(value)) {
      throw new InvalidArgumentError(`${name} must be ${expected}; got ${JSON.stringify(raw)}`);
    }
    return value;
  };
}

/** An instant argument: a date (its 00:00 UTC) or an RFC 3339 date-time, exactly and within the supported range. */
function instant(raw: string): Instant {
  try {
    return /^\d{4}-\d{2}-\d{2}$/.test(raw) ? dayStart(raw) : parseDateTime(raw);
  } catch (error) {
    if (!(error instanceof InstantError)) throw error;
    throw new InvalidArgumentError(
      `must be an ISO date or timestamp, e.g. 2026-11-23 or 2026-11-23T00:00:00Z: ${JSON.stringify(raw)} ${error.message}`,
    );
  }
}

/**
 * Opens the configured database with the ORM, runs `work`, and always closes
 * both. Commands that build the database (`builds`: migrate, seed) may create
 * the embedded cluster and find it unmigrated; every other command needs every
 * migration applied, and says so in one line when one is missing.
 */
async function withOrm<T>(
  work: (orm: Awaited<ReturnType<typeof createOrm>>, url: string) => Promise<T>,
  use: { builds: boolean } = { builds: false },
): Promise<T> {
  const config = loadConfig();
  const target = await openDatabaseTarget(config, { create: use.builds });
  try {
    const orm = await createOrm({ databaseUrl: target.url, poolMax: config.poolMax });
    try {
      if (!use.builds) await assertMigrated(orm);
      return await work(orm, target.url);
    } finally {
      await orm.close();
    }
  } finally {
    await target.stop();
  }
}

const program = new Command('auditgraph')
  .description("GraphQL audit query gateway: a trade's full provenance in one query")
  .exitOverride()
  .showHelpAfterError();

program
  .command('serve')
  .description('serve GraphQL (embedded PostgreSQL with demo data when DATABASE_URL is unset)')
  .option('--no-migrate', 'refuse to start when migrations are pending instead of applying them')
  .action(async (options: { migrate: boolean }) => {
    const config = loadConfig();
    await serve(config, { migrate: options.migrate && config.migrateOnStart });
    // Serving ends on SIGINT or SIGTERM, whose handler exits (130, 143): this command never finishes.
    await new Promise<never>(() => undefined);
  });

program
  .command('migrate')
  .description('apply pending database migrations')
  .action(async () => {
    const applied = await withOrm((orm) => applyPendingMigrations(orm), { builds: true });
    console.log(applied.length > 0 ? `applied: ${applied.join(', ')}` : 'the database is up to date');
  });

program
  .command('migration-create')
  .description('write a migration for the difference between the entities and the last snapshot')
  .argument('[name]', 'a few words for the file name, snake_case')
  .action(async (name: string | undefined) => {
    const file = await withOrm((orm) => createMigration(orm, name), { builds: true });
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
  .addOption(
    new Option('--anchor <date>', 'the data ends at this instant (default: start of today, UTC)').argParser(
      (raw) => new Date(millisecondsOf(instant(raw))),
    ),
  )
  .action(async (options: { scale: number; seed: number; anchor?: Date }) => {
    const summary = await withOrm(
      async (orm, url) => {
        await applyPendingMigrations(orm);
        return seedDatabase(url, { ...options, onProgress: (message) => console.error(message) });
      },
      { builds: true },
    );
    console.log(JSON.stringify(summary, null, 2));
  });

type Format = 'table' | 'json' | 'csv';
/** `--format`, its first choice the default. */
const formatOption = (choices: string[] = ['table', 'json', 'csv']) =>
  new Option('--format <format>', 'output format').choices(choices).default(choices[0]);

const printJson = (result: unknown) => process.stdout.write(`${stringifyExactJson(result, 2)}\n`);

/** JSON prints the result whole; table and CSV print its one flat table. */
function print(format: Format, result: unknown, table: () => Table) {
  if (format === 'json') printJson(result);
  else if (format === 'csv') process.stdout.write(tableCsv(table()));
  else process.stdout.write(tableText(table()));
}

/** Checks the period options a report needs before anything connects to the database. */
function checkPeriod(kind: 'date' | 'range', options: ReportOptions) {
  if (kind === 'date') {
    if (!options.date || options.from || options.to)
      throw new BadInputError('this report takes --date YYYY-MM-DD (not --from/--to)', 'date');
    dayPeriod(options.date, '--date');
  } else {
    if (!options.from || !options.to || options.date)
      throw new BadInputError('this report takes --from YYYY-MM-DD --to YYYY-MM-DD (not --date)', 'from');
    daysPeriod(options.from, options.to);
  }
}

const reportNames = Object.keys(REPORTS) as ReportName[];

program
  .command('report')
  .description('run an audit report; the same SQL as the GraphQL report queries')
  .argument('<name>', `the report: ${reportNames.join(', ')}`)
  .option('--date <day>', 'the UTC day, for daily-summary and trade-blotter')
  .option('--from <day>', 'first UTC day of the period, included')
  .option('--to <day>', 'last UTC day of the period, included')
  .option('--symbol <ticker>', 'for the symbol report')
  .option('--strategy <name>', 'for strategy-performance: only this strategy')
  .addOption(formatOption())
  .action(async (name: string, options: ReportOptions & { format: Format }) => {
    if (!Object.hasOwn(REPORTS, name))
      throw new BadInputError(`unknown report ${JSON.stringify(name)}: use one of ${reportNames.join(', ')}`, 'name');
    const report = REPORTS[name as ReportName];
    checkPeriod(report.period, options);
    const result = await withOrm((orm) => report.run(orm.em.fork(), options));
    print(options.format, result, () => report.table(result));
  });

program
  .command('integrity')
  .description('the quarterly data-integrity audit; exit 0 clean, 1 findings, 2 could not run')
  .option('--quarter <quarter>', 'a calendar quarter, e.g. 2026Q3')
  .option('--from <day>', 'first UTC day, included')
  .option('--to <day>', 'last UTC day, included')
  .addOption(
    new Option('--limit <n>', 'most records listed per check (counts are always complete)')
      .argParser(
        number(
          '--limit',
          (value) => Number.isInteger(value) && value >= 0 && value <= 10_000,
          'a whole number from 0 to 10000',
        ),
      )
      .default(100),
  )
  .addOption(formatOption())
  .action(async (options: { quarter?: string; from?: string; to?: string; limit: number; format: Format }) => {
    if (options.quarter && (options.from || options.to))
      throw new BadInputError('pass either --quarter or --from and --to, not both', 'quarter');
    if (!options.quarter && (!options.from || !options.to))
      throw new BadInputError('pass --quarter 2026Q3, or --from and --to', 'quarter');
    const period = options.quarter ? quarterPeriod(options.quarter) : daysPeriod(options.from!, options.to!);
    const report = await withOrm((orm) => integrityReport(orm.em.fork(), period, { limit: options.limit }));
    print(options.format, report, () => integrityTable(report));
    if (options.format === 'table')
      console.error(report.clean ? 'integrity: clean' : `integrity: ${report.totalFindings} findings`);
    process.exitCode = report.clean ? EXIT_DONE : EXIT_FOUND;
  });

program
  .command('verify')
  .description('recompute every hash of the record and the chain; exit 0 intact, 1 tampered, 2 could not run')
  .addOption(
    new Option('--limit <n>', 'most breaks listed')
      .argParser(
        number(
          '--limit',
          (value) => Number.isInteger(value) && value >= 1 && value <= 10_000,
          'a whole number from 1 to 10000',
        ),
      )
      .default(100),
  )
  .addOption(formatOption(['text', 'json']))
  .action(async (options: { limit: number; format: 'text' | 'json' }) => {
    const result = await withOrm((orm) => verifyChain(orm.em.fork(), { limit: options.limit }));
    if (options.format === 'json') printJson(result);
    else {
      process.stdout.write(
        `${result.intact ? 'intact' : 'TAMPERED'}: ${result.events} events, ${result.records} records verified in ${result.durationMs} ms\n`,
      );
      if (result.firstBreak) process.stdout.write(`first break: ${result.firstBreak.problem}\n`);
      for (const found of result.breaks.slice(1)) process.stdout.write(`  also: ${found.problem}\n`);
    }
    process.exitCode = result.intact ? EXIT_DONE : EXIT_FOUND;
  });

/** Files that others link to first: trades name orders, errors name orders. */
const IMPORT_ORDER = ['orders.jsonl', 'trades.jsonl', 'performance.jsonl', 'errors.jsonl'];

program
  .command('import')
  .description(
    'import JSONL trading logs (orders, trades, performance, errors); each file whole or not at all, again adds nothing',
  )
  .argument('<files...>', 'orders.jsonl, trades.jsonl, performance.jsonl, errors.jsonl (imported in that order)')
  .option('--actor <name>', 'who imports, recorded on every event', userInfo().username)
  .action(async (files: string[], options: { actor: string }) => {
    for (const file of files) if (!existsSync(file)) throw new BadInputError(`no such file: ${file}`, 'files');
    // Files of other names keep their order, after the four.
    const rank = (file: string) => {
      const known = IMPORT_ORDER.indexOf(basename(file));
      return known === -1 ? IMPORT_ORDER.length : known;
    };
    const ordered = [...files].sort((a, b) => rank(a) - rank(b));
    await withOrm(async (orm) => {
      for (const path of ordered) {
        const progress = progressReporter(process.stderr);
        try {
          const result = await importFile(orm.em.fork(), path, {
            actor: options.actor,
            onProgress: (state) => progress.update(state),
          });
          progress.update({ file: result.file, lines: result.lines, bytesRead: 1, bytes: 1 }, true);
          const written = Object.entries(result.counts)
            .filter(([, count]) => count.created + count.unchanged > 0)
            .map(
              ([table, count]) =>
                `${table} +${count.created}${count.unchanged ? ` (${count.unchanged} already recorded)` : ''}`,
            );
          console.log(
            `${result.file}: ${result.lines} lines in ${result.seconds.toFixed(1)} s (${Math.round(result.lines / result.seconds)} lines/s): ${written.join(', ') || 'nothing new'}`,
          );
          if (result.unlinked.count > 0) {
            const listed =
              result.unlinked.count > result.unlinked.named.length
                ? ` (the first ${result.unlinked.named.length} listed)`
                : '';
            console.log(
              `${result.file}: ${result.unlinked.count} lines linked to no order, kept as SYSTEM events${listed}:`,
            );
            for (const line of result.unlinked.named) console.log(`  ${line}`);
          }
        } catch (error) {
          if (!(error instanceof ImportError)) throw error;
          if (process.stderr.isTTY) process.stderr.write('\n');
          for (const problem of error.problems) console.error(problem);
          console.error(`auditgraph: ${error.file} was not imported (nothing from it was written)`);
          process.exitCode = EXIT_FOUND;
        }
      }
    });
  });

const retention = program.command('retention').description('the retention window: purge payload bodies past it');

retention
  .command('purge')
  .description('replace payload bodies older than the window by tombstones (hash and size); a dry run unless --execute')
  .requiredOption(
    '--older-than <days>',
    'the window, e.g. 730d (two years, the shortest allowed without --allow-short-window)',
  )
  .option('--execute', 'purge; without it nothing changes and the plan is printed')
  .option('--allow-short-window', 'allow a window shorter than 730 days')
  .option('--actor <name>', 'who runs the purge, for the COMPLIANCE event', userInfo().username)
  .addOption(formatOption(['text', 'json']))
  .action(
    async (options: {
      olderThan: string;
      execute?: boolean;
      allowShortWindow?: boolean;
      actor: string;
      format: 'text' | 'json';
    }) => {
      const window = retentionWindow(options.olderThan, { allowShort: options.allowShortWindow });
      const summary = await withOrm((orm) =>
        purgePayloadBodies(orm.em.fork(), window, { execute: Boolean(options.execute), actor: options.actor }),
      );
      if (options.format === 'json') printJson(summary);
      else if (summary.executed) {
        process.stdout.write(
          `purged ${summary.payloads} payload bodies (${summary.bodyBytes} bytes) created before ${summary.cutoff}; recorded as event #${summary.eventSeq}\n`,
        );
      } else {
        process.stdout.write(
          `dry run: would purge ${summary.payloads} payload bodies (${summary.bodyBytes} bytes) created before ${summary.cutoff}; run again with --execute to purge\n`,
        );
      }
    },
  );

program
  .command('storage')
  .description('rows and bytes per table, and payload bodies by month: what a purge would free')
  .addOption(formatOption(['table', 'json']))
  .action(async (options: { format: 'table' | 'json' }) => {
    const summary = await withOrm((orm) => storageSummary(orm.em.fork()));
    if (options.format === 'json') {
      printJson(summary);
      return;
    }
    process.stdout.write(
      tableText({
        columns: ['table', 'rows', 'bytes'],
        rows: summary.tables.map((row) => [row.table, row.rows, row.bytes]),
      }),
    );
    process.stdout.write(`total bytes: ${summary.totalBytes}\n\n`);
    process.stdout.write(
      tableText({
        columns: ['month', 'payloads', 'bodies kept', 'body bytes', 'purged'],
        rows: summary.payloadsByMonth.map((row) => [row.month, row.payloads, row.bodies, row.bodyBytes, row.purged]),
      }),
    );
  });

/** `--expires`: an ISO date or timestamp, or a number of days from now (`90d`). */
function expiry(raw: string): Instant {
  const days = /^(\d{1,5})d$/.exec(raw.trim());
  return days ? instantOf(new Date(Date.now() + Number(days[1]) * 86_400_000)) : instant(raw);
}

const keys = program.command('keys').description('API keys: create, list, revoke');

keys
  .command('create')
  .description('issue a key; its secret is printed once, alone on stdout (details on stderr)')
  .requiredOption('--name <name>', 'who or what the key is for, unique among live keys')
  .addOption(new Option('--role <role>', 'what it may do').choices(ROLES).makeOptionMandatory())
  .addOption(
    new Option('--expires <when>', 'expiry: an ISO date or timestamp, or days from now (e.g. 90d)').argParser(expiry),
  )
  .action(async (options: { name: string; role: Role; expires?: Instant }) => {
    const { key, secret } = await withOrm((orm) =>
      createApiKey(orm.em.fork(), { name: options.name, role: options.role, expiresAt: options.expires }),
    );
    console.error(
      `created key ${key.id} "${key.name}" (${key.role}${key.expiresAt ? `, expires ${key.expiresAt}` : ', no expiry'}). ` +
        'Store the secret now: it is not shown again. Send it as `Authorization: Bearer <secret>`.',
    );
    process.stdout.write(`${secret}\n`);
  });

keys
  .command('list')
  .description('every key, newest first, with when it was last used; never secrets')
  .addOption(formatOption(['table', 'json']))
  .action(async (options: { format: 'table' | 'json' }) => {
    const listing = await withOrm((orm) => listApiKeys(orm.em.fork()));
    const time = (value: Instant | null | undefined) => value ?? '';
    print(options.format, listing, () => ({
      columns: ['id', 'name', 'role', 'prefix', 'created', 'expires', 'revoked', 'last used'],
      rows: listing.map((key) => [
        key.id,
        key.name,
        key.role,
        `${key.prefix}…`,
        time(key.createdAt),
        time(key.expiresAt),
        time(key.revokedAt),
        time(key.lastUsedAt),
      ]),
    }));
  });

keys
  .command('revoke')
  .description('revoke a live key by id or name; running gateways refuse it at once')
  .argument('<key>', 'the key id or name')
  .action(async (idOrName: string) => {
    const key = await withOrm((orm) => revokeApiKey(orm.em.fork(), idOrName));
    console.log(`revoked key ${key.id} "${key.name}" (${key.role}) at ${key.revokedAt!}`);
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
        process.exitCode = EXIT_FOUND;
      }
      return;
    }
    await writeFile(options.output, sdl);
    console.log(`wrote ${options.output}`);
  });

// Every command, whether or not it opens the database, runs only on a valid
// configuration: a bad LOG_LEVEL is one line and exit 2 even for `schema`.
program.hook('preAction', () => {
  loadConfig();
});

// The one place the process ends, once the command has finished and closed
// (or handed back) the database it opened.
program.parseAsync(process.argv).then(
  () => exitWith(Number(process.exitCode ?? EXIT_DONE)),
  (error: unknown) => {
    logger.debug({ err: error }, 'command failed');
    const failure = describeFailure(error);
    if (failure.message) console.error(`auditgraph: ${failure.message}`);
    exitWith(failure.exitCode);
  },
);
