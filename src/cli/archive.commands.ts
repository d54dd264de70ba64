import type { Command } from 'commander';
import { loadConfig } from '../base/config';
import { BadInputError } from '../base/errors';
import { archiveBodies, type ArchiveRunSummary } from '../archive/archive-bodies';
import { archiveRecords, type RecordsRunSummary } from '../archive/archive-records';
import { withIntegratorConnection } from '../integrator/integrator-connection';
import { writeNewArchiveKey } from '../archive/archive-key';
import { whenExecuting } from '../archive/archive-lock';
import { archiveSettingsOf } from '../archive/archive-settings';
import { type ArchiveFinding, verifyArchive } from '../archive/archive-verify';
import { retentionWindow } from '../retention/retention-purge';
import { loadRetentionPolicy } from '../retention/retention-policy';
import { actorOption, commandActor } from './actor';
import { commandAction } from './command-action';
import { EXIT_DONE, EXIT_FOUND } from './exit-codes';
import { formatOption, printJson } from './output-format';
import { withOrm } from './with-orm';
import { countOf, progressBar, progressOption } from './progress';

/**
 * `--older-than` as given, else the retention policy's hot window for payload
 * bodies (the seed's 90 days): bodies younger than it stay out of the archive.
 */
function hotWindowText(olderThan: string | undefined): string {
  if (olderThan !== undefined) return olderThan;
  const policy = loadRetentionPolicy();
  const days = policy.tiers.payloadBodies.hotDays;
  if (days === 'permanent')
    throw new BadInputError(
      `${policy.file ?? 'the retention policy'} keeps payload bodies hot permanently; pass --older-than to archive`,
      'older-than',
    );
  return `${days}d`;
}

type ArchiveOptions = {
  olderThan?: string;
  full?: boolean;
  archiveDir?: string;
  execute?: boolean;
  actor?: string;
  format: 'text' | 'json';
};

function runText(summary: ArchiveRunSummary): string {
  const lines: string[] = [];
  const bodies = `${summary.bodies} payload bodies (${summary.bodyBytes} bytes) created before ${summary.cutoff}`;
  if (summary.checkpointTreeSize === null)
    lines.push('no signed checkpoint yet: nothing can be archived (integrate with a checkpoint key first)');
  else if (!summary.executed) {
    lines.push(`dry run: would archive ${bodies} under the checkpoint of tree size ${summary.checkpointTreeSize}`);
    for (const month of summary.months)
      lines.push(`  ${month.month}: ${month.bodies} bodies, ${month.bodyBytes} bytes`);
    lines.push('run again with --execute to archive');
  } else {
    lines.push(
      `archived ${summary.bodies} payload bodies under the checkpoint of tree size ${summary.checkpointTreeSize}, key ${summary.keyId}`,
    );
    for (const file of summary.files)
      lines.push(
        `  ${file.file}: ${file.records} bodies, leaves ${file.firstLeaf}–${file.lastLeaf}, ${file.bytes} bytes, read back and matched; event #${file.eventSeq}`,
      );
  }
  if (summary.waiting > 0)
    lines.push(
      `${summary.waiting} bodies past the cutoff wait: their leaf is not yet integrated or under a signed checkpoint; a later run archives them`,
    );
  if (summary.mismatched.length > 0)
    lines.push(
      `${summary.mismatched.length} bodies NOT archived: their row no longer matches its leaf (payloads ${summary.mismatched.slice(0, 20).join(', ')})`,
    );
  return `${lines.join('\n')}\n`;
}

function recordsText(summary: RecordsRunSummary): string {
  const leaves = summary.endLeaf - summary.firstLeaf;
  const range = `leaves ${summary.firstLeaf}–${summary.endLeaf - 1}`;
  if (summary.checkpointTreeSize === null) return '';
  if (leaves === 0)
    return `full archive: no record past the cutoff left to archive (leaves from ${summary.firstLeaf} wait for it)\n`;
  if (!summary.executed)
    return `full archive, dry run: would archive ${leaves} records (${range}), every leaf with its rows\n`;
  const files = summary.files.map(
    (file) =>
      `  ${file.file}: leaves ${file.firstLeaf}–${file.lastLeaf}, ${file.rows} rows, ${file.bytes} bytes, read back and matched; event #${file.eventSeq}`,
  );
  return `full archive: archived ${leaves} records (${range}) under the checkpoint of tree size ${summary.checkpointTreeSize}\n${files.join('\n')}\n`;
}

const findingText = (finding: ArchiveFinding) =>
  [
    `  ${finding.file}`,
    finding.frame !== undefined ? ` frame ${finding.frame}` : '',
    finding.bytes ? ` (bytes ${finding.bytes[0]}–${finding.bytes[1]})` : '',
    finding.leaves ? ` leaves ${finding.leaves[0]}–${finding.leaves[1]}` : '',
    `: ${finding.problem}`,
  ].join('');

/** `archive` (payload bodies past the hot window), `archive verify`, `archive key-generate`. */
export function registerArchiveCommands(program: Command): void {
  const archive = program
    .command('archive')
    .description(
      'archive payload bodies past the hot window: one encrypted file per UTC month, read back and matched before it is indexed; ' +
        'with --full, every record too; a dry run unless --execute',
    )
    .option(
      '--older-than <days>',
      "bodies created (with --full, records integrated) more than this long ago, e.g. 90d, 0d for all; default: the retention policy's hotDays for payload bodies",
    )
    .option(
      '--full',
      'a full archive: also every record integrated before the cutoff (each leaf with its rows, by leaf range, from where the last run stopped)',
    )
    .option('--archive-dir <folder>', 'the archive folder (default: AUDITGRAPH_ARCHIVE_DIR)')
    .option('--execute', 'archive; without it nothing is written and the plan is printed')
    .addOption(actorOption('the archive_written events'))
    .addOption(formatOption(['text', 'json']))
    .addOption(progressOption())
    .action(
      commandAction(async (options: ArchiveOptions & { progress?: boolean }) => {
        const window = retentionWindow(hotWindowText(options.olderThan), { allowShort: true, allowNow: true });
        const actor = commandActor(options.actor);
        const settings = await archiveSettingsOf(loadConfig(), options.archiveDir);
        const execute = Boolean(options.execute);
        const { bodies, records } = await withOrm((orm, url) =>
          whenExecuting(execute, url, 'archive --execute', async () => {
            const bar = progressBar('archive', options);
            const bodies = await archiveBodies(orm.em.fork(), window, settings, {
              execute,
              actor,
              onProgress: (done, total, month) => bar.update(done, total, `${countOf(done, total)} bodies, ${month}`),
            }).finally(() => bar.stop());
            const recordsBar = progressBar('archive --full', options);
            const records = options.full
              ? await withIntegratorConnection(url, (connection) =>
                  archiveRecords(connection, orm.em.fork(), window.cutoff, settings, {
                    execute,
                    actor,
                    onProgress: (done, total) => recordsBar.update(done, total, `${countOf(done, total)} leaves`),
                  }),
                ).finally(() => recordsBar.stop())
              : undefined;
            return { bodies, records };
          }),
        );
        if (options.format === 'json') printJson(records ? { ...bodies, records } : bodies);
        else process.stdout.write(runText(bodies) + (records ? recordsText(records) : ''));
        return bodies.mismatched.length > 0 ? EXIT_FOUND : EXIT_DONE;
      }),
    );

  archive
    .command('verify')
    .description(
      "re-read every archive file against its manifest and the database index; exit 1 naming what no longer matches (archive's --archive-dir, --actor, --format apply)",
    )
    .action(
      // archive's own options: Commander gives an option the parent declares to the parent, wherever it is written.
      commandAction(async (_options: unknown, command: Command) => {
        const options = command.parent!.opts<ArchiveOptions>();
        const actor = commandActor(options.actor);
        const settings = await archiveSettingsOf(loadConfig(), options.archiveDir);
        const summary = await withOrm((orm) => verifyArchive(orm.em.fork(), settings, actor));
        if (options.format === 'json') printJson(summary);
        else {
          const counts = `${summary.files} files, ${summary.frames} frames, ${summary.records} records`;
          process.stdout.write(
            summary.findings.length === 0
              ? `archive whole: ${counts} match their manifests and the database; event #${summary.eventSeq}\n`
              : `${summary.findings.length} findings in ${counts}; event #${summary.eventSeq}\n${summary.findings.map(findingText).join('\n')}\n`,
          );
        }
        return summary.findings.length === 0 ? EXIT_DONE : EXIT_FOUND;
      }),
    );

  archive
    .command('key-generate')
    .description('write a new archive key (base64 of 32 random bytes, mode 0600); never overwrites')
    .requiredOption('--out <file>', 'where to write it, e.g. the path AUDITGRAPH_ARCHIVE_KEY_FILE will name')
    .action(
      commandAction(async (options: { out: string }) => {
        const key = await writeNewArchiveKey(options.out).catch((error: NodeJS.ErrnoException) => {
          if (error.code === 'EEXIST')
            throw new BadInputError(`${options.out} exists: an archive key is never overwritten`, 'out');
          throw error;
        });
        process.stdout.write(`wrote archive key ${key.keyId} to ${options.out}\n`);
      }),
    );
}
