import { type Command, Option } from 'commander';
import { readArchiveKey } from '../archive/archive-key';
import { loadConfig } from '../base/config';
import { verifierKeysOf } from '../chain/trusted-checkpoints';
import { applyPendingMigrations } from '../database/migrations';
import { exportDatabase } from '../restore/export-database';
import { verifyExport } from '../restore/export-package';
import { EXIT_DONE, EXIT_FOUND } from './exit-codes';
import { restoreDatabase } from '../restore/restore-database';
import { BadInputError } from '../base/errors';
import { actorOption, commandActor } from './actor';
import { commandAction } from './command-action';
import { formatOption, printJson } from './output-format';
import { withOrm } from './with-orm';

const collect = (value: string, previous: string[]) => [...previous, value];
const keyFileOption = () =>
  new Option('--archive-key-file <file>', 'the archive key (default: AUDITGRAPH_ARCHIVE_KEY_FILE)');
const megabytes = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

type ExportOptions = { all?: boolean; to?: string; archiveKeyFile?: string; format: 'text' | 'json' };
type RestoreOptions = { archiveKeyFile?: string; key: string[]; actor?: string; format: 'text' | 'json' };

/** `export --all` and `restore`: the whole record out to an encrypted archive folder, and back into an empty database. */
export function registerRestoreCommands(program: Command): void {
  const exportCommand = program
    .command('export')
    .description(
      'write every record, in leaf order, to an encrypted archive folder consistent with the newest signed checkpoint ' +
        '(integrating and signing first); exit 0 written, 2 could not run',
    )
    .option('--all', 'every record (the one kind of export there is; say it)')
    .option('--to <dir>', 'a new or empty folder (required)')
    .addOption(keyFileOption())
    .addOption(formatOption(['text', 'json']))
    .action(
      commandAction(async (options: ExportOptions) => {
        if (!options.all) throw new BadInputError('export writes the whole record: say --all');
        const to = options.to;
        if (!to) throw new BadInputError('say where to write the export: --to DIR');
        const config = loadConfig();
        const key = await readArchiveKey(options.archiveKeyFile ?? config.archiveKeyFile);
        const summary = await withOrm((_orm, url) => exportDatabase(config, url, to, key));
        if (options.format === 'json') printJson(summary);
        else
          process.stdout.write(
            `exported ${summary.treeSize} leaves (${summary.rows} rows) at the checkpoint of tree size ${summary.treeSize}, ` +
              `root ${summary.root}\n${summary.files} files, ${megabytes(summary.bytes)} MB, in ${summary.seconds.toFixed(1)} s, to ${summary.dir}\n`,
          );
      }),
    );

  exportCommand
    .command('verify')
    .description(
      'read every file of an export back (bytes, frame tags, records against the manifests, the checkpoint), ' +
        'no database; exit 0 whole, 1 a file is changed or missing (named), 2 unreadable',
    )
    .argument('<dir>', 'the export folder')
    .addOption(keyFileOption())
    .option(
      '--key <key>',
      "a trusted checkpoint verifier key, or a file of them (repeatable; default: the package's own keys)",
      collect,
      [],
    )
    .addOption(formatOption(['text', 'json']))
    .action(
      commandAction(async (dir: string, options: RestoreOptions) => {
        const key = await readArchiveKey(options.archiveKeyFile ?? loadConfig().archiveKeyFile);
        const result = await verifyExport(dir, key, options.key.length > 0 ? verifierKeysOf(options.key) : null);
        if (options.format === 'json') printJson(result);
        else
          process.stdout.write(
            (result.problems.length === 0
              ? `whole: ${result.files} files, ${result.records} records, at the checkpoint of tree size ${result.treeSize} (signed by ${result.trustedBy})\n`
              : `NOT WHOLE: ${result.problems.length} of ${result.files} files\n`) +
              result.problems.map((problem) => `  ${problem}\n`).join(''),
          );
        return result.problems.length === 0 ? EXIT_DONE : EXIT_FOUND;
      }),
    );

  program
    .command('restore')
    .description(
      'rebuild the record from an export into an empty database (migrating it first): every row as exported, ' +
        'every leaf checked against the manifest, the tree against the checkpoint; all or nothing. ' +
        'Exit 0 restored, 2 refused or could not run',
    )
    .argument('<dir>', 'the export folder (auditgraph export --all --to DIR)')
    .addOption(keyFileOption())
    .option(
      '--key <key>',
      "a trusted checkpoint verifier key, or a file of them (repeatable; default: the package's own keys)",
      collect,
      [],
    )
    .addOption(actorOption('the records_restored event'))
    .addOption(formatOption(['text', 'json']))
    .action(
      commandAction(async (dir: string, options: RestoreOptions) => {
        const key = await readArchiveKey(options.archiveKeyFile ?? loadConfig().archiveKeyFile);
        const trusted = options.key.length > 0 ? verifierKeysOf(options.key) : null;
        const actor = commandActor(options.actor);
        const outcome = await withOrm(
          async (orm, url) => {
            await applyPendingMigrations(orm);
            return restoreDatabase(loadConfig(), orm.em.fork(), url, { dir, key, trusted, actor });
          },
          { builds: true },
        );
        if (options.format === 'json') printJson(outcome);
        else
          process.stdout.write(
            `restored ${outcome.treeSize} leaves (${outcome.rows} rows) from ${outcome.dir} in ${outcome.seconds.toFixed(1)} s\n` +
              `tree size ${outcome.treeSize}, root ${outcome.root}: the checkpoint's, signed by ${outcome.trustedBy}\n` +
              `recorded as event #${outcome.eventSeq} (records_restored); the tree now: size ${outcome.now.treeSize}, ` +
              `root ${outcome.now.root}${outcome.now.checkpointSigned === null ? '' : ', signed'}\n`,
          );
      }),
    );
}
