import { type Command, Option } from 'commander';
import { applyPendingMigrations, createMigration } from '../database/migrations';
import { millisecondsOf } from '../time/instant';
import { seedDatabase } from '../seed/seed-database';
import { instant, number } from './arguments';
import { commandAction } from './command-action';
import { withOrm } from './with-orm';
import { logger } from '../base/logger';
import { countOf, progressBar, progressOption } from './progress';

/** The commands that build the database: its schema (migrate, migration-create) and its data (seed). */
export function registerDatabaseCommands(program: Command): void {
  program
    .command('migrate')
    .description('apply pending database migrations')
    .action(
      commandAction(async () => {
        const applied = await withOrm((orm) => applyPendingMigrations(orm), { builds: true });
        console.log(applied.length > 0 ? `applied: ${applied.join(', ')}` : 'the database is up to date');
      }),
    );

  program
    .command('migration-create')
    .description('write a migration for the difference between the entities and the last snapshot')
    .argument('[name]', 'a few words for the file name, snake_case')
    .action(
      commandAction(async (name: string | undefined) => {
        const file = await withOrm((orm) => createMigration(orm, name), { builds: true, snapshot: true });
        console.log(file ? `wrote migrations/${file}: read it, then add it to migrations/index.ts` : 'no changes');
      }),
    );

  program
    .command('seed')
    .description('load a deterministic, realistic generated dataset into an empty database')
    .addOption(
      new Option(
        '--scale <n>',
        'size: 1 = 10,000 decisions (fractions allowed); from 1 on, a tenth more older than two years',
      )
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
    .addOption(progressOption())
    .action(
      commandAction(
        async ({ progress, ...options }: { scale: number; seed: number; anchor?: Date; progress?: boolean }) => {
          const bar = progressBar('seed', { progress });
          const summary = await withOrm(
            async (orm, url) => {
              await applyPendingMigrations(orm);
              return seedDatabase(url, {
                ...options,
                onProgress: (message) => logger.info(message),
                onWalk: (done, total, table) => {
                  // Every thousandth decision: the bar redraws five times a second at most anyway.
                  if (done === total) bar.stop();
                  else if (done % 1000 === 0)
                    bar.update(done, total, `${countOf(done, total)} decisions walked, loading ${table}`);
                },
              });
            },
            { builds: true },
          ).finally(() => bar.stop());
          console.log(JSON.stringify(summary, null, 2));
        },
      ),
    );
}
