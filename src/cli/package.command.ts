import type { Command } from 'commander';
import { loadConfig } from '../base/config';
import { OperatorError } from '../base/errors';
import { checkpointSigningOf } from '../integrator/checkpoint-key';
import { checkDestination } from '../reports/package-folder';
import { packagePeriod } from '../reports/package-period';
import { writeCompliancePackage } from '../reports/write-compliance-package';
import { actorOption, commandActor } from './actor';
import { commandAction } from './command-action';
import { formatOption, printJson } from './output-format';
import { withOrm } from './with-orm';
import { DAY_HELP, resolveDays } from './days';
import { DEFAULT_TIME_ZONE } from '../time/time-zone';

type PackageOptions = {
  quarter?: string;
  from?: string;
  to?: string;
  toDir: string;
  force?: boolean;
  actor?: string;
  format: 'text' | 'json';
};

/** `auditgraph package`: the examiner's compliance package of a period (README "Compliance package"). */
export function registerPackageCommand(program: Command): void {
  program
    .command('package')
    .description(
      "write a period's compliance package (every report, integrity findings, NAV, RISK and COMPLIANCE events, " +
        'checkpoints with their consistency proof, a README) and its manifest signed with the checkpoint key; ' +
        'check it offline with `verify-bundle --package`',
    )
    .option('--quarter <quarter>', 'a calendar quarter of UTC, e.g. 2026Q3, or last-quarter')
    .option('--from <day>', `first day, included (UTC), with --to: ${DAY_HELP}`)
    .option('--to <day>', 'last day, included (UTC); at most 366 days in all')
    .requiredOption('--to-dir <dir>', 'the folder to write (missing or empty)')
    .option('--force', 'replace a folder that is not empty, whole')
    .addOption(actorOption('the compliance_package_written event'))
    .addOption(formatOption(['text', 'json']))
    .action(
      commandAction(async (options: PackageOptions) => {
        const period = packagePeriod(resolveDays(options, DEFAULT_TIME_ZONE));
        const actor = commandActor(options.actor);
        // Before the database is opened; staging checks again, in case the folder fills meanwhile.
        await checkDestination(options.toDir, { force: Boolean(options.force) });
        const written = await withOrm(async (orm, url) => {
          const signing = await checkpointSigningOf(loadConfig(), url);
          if (signing === null)
            throw new OperatorError(
              'a compliance package is signed with the checkpoint key: set AUDITGRAPH_CHECKPOINT_KEY_FILE',
            );
          return writeCompliancePackage(orm.em.fork(), period, {
            dir: options.toDir,
            force: Boolean(options.force),
            actor,
            signer: signing.signer,
          });
        });
        const summary = {
          dir: options.toDir,
          from: period.fromDay,
          to: period.toDay,
          files: written.files.length,
          manifestSha256: written.manifestSha256,
          firstTreeSize: written.firstTreeSize,
          lastTreeSize: written.lastTreeSize,
          eventSeq: written.eventSeq,
        };
        if (options.format === 'json') printJson(summary);
        else
          process.stdout.write(
            `compliance package ${period.fromDay} to ${period.toDay}: ${summary.files} files and MANIFEST.note in ` +
              `${options.toDir}; manifest SHA-256 ${summary.manifestSha256}; checkpoints ${summary.firstTreeSize} → ` +
              `${summary.lastTreeSize}; recorded as event #${summary.eventSeq}\n`,
          );
      }),
    );
}
