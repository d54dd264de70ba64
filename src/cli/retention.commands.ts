import bytes from 'bytes';
import type { Command } from 'commander';
import { tableText } from '../reports/report-catalog';
import { BadInputError } from '../base/errors';
import { MIN_RETENTION_DAYS, purgePayloadBodies, retentionWindow } from '../retention/retention-purge';
import { loadRetentionPolicy, RECORD_TYPES, type RecordType } from '../retention/retention-policy';
import { storageSummary } from '../retention/storage-summary';
import { commandAction } from './command-action';
import { formatOption, printJson } from './output-format';
import { withOrm } from './with-orm';
import { actorOption, commandActor } from './actor';
import { loadConfig } from '../base/config';
import { whenExecuting } from '../archive/archive-lock';
import { archiveSettingsOf } from '../archive/archive-settings';
import type { CopiesRefused } from '../archive/archived-copies';

type PurgeOptions = {
  olderThan?: string;
  execute?: boolean;
  allowShortWindow?: boolean;
  actor?: string;
  archiveDir?: string;
  format: 'text' | 'json';
};

/**
 * `--older-than` as given, else the policy's days in the database for payload
 * bodies — a policy under two years needs --allow-short-window as a flag does.
 */
function purgeWindowText(options: PurgeOptions): string {
  if (options.olderThan !== undefined) return options.olderThan;
  const policy = loadRetentionPolicy();
  const days = policy.tiers.payloadBodies.databaseDays;
  const source = policy.file ?? 'the default retention policy';
  if (days === 'permanent')
    throw new BadInputError(`${source} keeps payload bodies in the database permanently: there is nothing to purge`);
  if (days < MIN_RETENTION_DAYS && !options.allowShortWindow)
    throw new BadInputError(
      `${source} keeps payload bodies ${days} days, inside the ${MIN_RETENTION_DAYS}-day window records must stay ` +
        'accessible; pass --allow-short-window to purge anyway',
    );
  return `${days}d`;
}

/** What stayed, in words: one line per reason, then the messages naming files and frames. */
function keptText(kept: CopiesRefused): string {
  const lines = [
    kept.notArchived > 0 && `kept ${kept.notArchived} bodies not archived yet (run auditgraph archive first)`,
    kept.archiveUnreadable > 0 && `kept ${kept.archiveUnreadable} bodies whose archived copy cannot be read back`,
    kept.archiveMismatch > 0 && `kept ${kept.archiveMismatch} bodies whose archived copy does not match`,
    ...kept.reasons.map((reason) => `  ${reason}`),
  ];
  return lines
    .filter(Boolean)
    .map((line) => `${line}\n`)
    .join('');
}

/** The retention window's purge, and the storage summary that tells what a purge would free. */
/** 1536 → `1.5 KB`: sizes as a person reads them, in powers of 1024 (JSON keeps the bytes). */
const humanSize = (count: number) => bytes(count, { unitSeparator: ' ', decimalPlaces: 1 });

export function registerRetentionCommands(program: Command): void {
  const retention = program.command('retention').description('the retention window: purge payload bodies past it');

  retention
    .command('purge')
    .description(
      'replace payload bodies older than the window, whose archived copy reads back and matches, by tombstones (hash and size); a dry run unless --execute',
    )
    .option(
      '--older-than <days>',
      'the window, e.g. 730d (two years, the shortest allowed without --allow-short-window); default: the ' +
        "retention policy's databaseDays for payload bodies",
    )
    .option('--execute', 'purge; without it nothing changes and the plan is printed')
    .option('--allow-short-window', 'allow a window shorter than 730 days')
    .option('--archive-dir <folder>', 'the archive whose copies are read back first (default: AUDITGRAPH_ARCHIVE_DIR)')
    .addOption(actorOption('the retention_purge event'))
    .addOption(formatOption(['text', 'json']))
    .action(
      commandAction(async (options: PurgeOptions) => {
        const window = retentionWindow(purgeWindowText(options), { allowShort: options.allowShortWindow });
        const actor = commandActor(options.actor);
        const config = loadConfig();
        // Without an archive nothing can be read back, so nothing is purged (the summary says why).
        const archive =
          options.archiveDir || config.archiveDir || config.archiveKeyFile
            ? await archiveSettingsOf(config, options.archiveDir)
            : null;
        const execute = Boolean(options.execute);
        const summary = await withOrm((orm, url) =>
          whenExecuting(execute, url, 'retention purge --execute', () =>
            purgePayloadBodies(orm.em.fork(), window, { execute, actor, archive }),
          ),
        );
        const { payloads, bodyBytes, cutoff, heldBack } = summary;
        const bodies = `${payloads} payload bodies (${bodyBytes} bytes) created before ${cutoff}`;
        const held = `${heldBack} kept under a legal hold`;
        if (options.format === 'json') printJson(summary);
        else if (summary.executed)
          process.stdout.write(
            `purged ${bodies}; ${held}; recorded as event #${summary.eventSeq}\n${keptText(summary.kept)}`,
          );
        else
          process.stdout.write(
            `dry run: would purge ${bodies}; ${held}; run again with --execute to purge\n${keptText(summary.kept)}`,
          );
      }),
    );

  retention
    .command('policy')
    .description('the effective retention policy: days per tier and record type (AUDITGRAPH_RETENTION_POLICY_FILE)')
    .addOption(formatOption(['text', 'json']))
    .action(
      commandAction(async (options: { format: 'text' | 'json' }) => {
        const policy = loadRetentionPolicy();
        if (options.format === 'json') {
          printJson(policy);
          return;
        }
        process.stdout.write(`retention policy: ${policy.file ?? "the default (the logging spec's schedule)"}\n`);
        process.stdout.write(
          tableText({
            columns: ['record type', 'hot days', 'database days', 'kept days', 'covers'],
            rows: (Object.keys(RECORD_TYPES) as RecordType[]).map((type) => {
              const tier = policy.tiers[type];
              return [type, tier.hotDays, tier.databaseDays, tier.keepDays, RECORD_TYPES[type]];
            }),
          }),
        );
      }),
    );

  program
    .command('storage')
    .description(
      'rows and size per table, and payload bodies by month: what a purge would free (--format json: in bytes)',
    )
    .addOption(formatOption(['table', 'json']))
    .action(
      commandAction(async (options: { format: 'table' | 'json' }) => {
        const summary = await withOrm((orm) => storageSummary(orm.em.fork()));
        if (options.format === 'json') {
          printJson(summary);
          return;
        }
        process.stdout.write(
          tableText({
            columns: ['table', 'rows', 'size'],
            rows: summary.tables.map((row) => [row.table, row.rows, humanSize(row.bytes)]),
          }),
        );
        process.stdout.write(`total: ${humanSize(summary.totalBytes)}\n\n`);
        process.stdout.write(
          tableText({
            columns: ['month', 'payloads', 'bodies kept', 'body size', 'purged'],
            rows: summary.payloadsByMonth.map((row) => [
              row.month,
              row.payloads,
              row.bodies,
              humanSize(row.bodyBytes),
              row.purged,
            ]),
          }),
        );
      }),
    );
}
