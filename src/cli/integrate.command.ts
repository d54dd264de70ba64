import type { Command } from 'commander';
import { loadConfig } from '../base/config';
import { checkpointSigningOf } from '../integrator/checkpoint-key';
import { signCheckpointIfDue } from '../integrator/checkpoint-signer';
import { integrateAll } from '../integrator/integrate-all';
import { withIntegratorConnection } from '../integrator/integrator-connection';
import { commandAction } from './command-action';
import { formatOption, printJson } from './output-format';
import { withOrm } from './with-orm';

/** `auditgraph integrate`: every committed record into the Merkle tree, then the tree's size and root. */
export function registerIntegrateCommand(program: Command): void {
  program
    .command('integrate')
    .description(
      'add every committed record not yet in the Merkle tree, batch after batch until none is left; ' +
        'print the tree size and root. Exit 0 done, 2 could not run',
    )
    .addOption(formatOption(['text', 'json']))
    .action(
      commandAction(async (options: { format: 'text' | 'json' }) => {
        const { summary, signed } = await withOrm(async (_orm, url) => {
          const signing = await checkpointSigningOf(loadConfig(), url);
          // The newest tree size this run signed a checkpoint of.
          let signed: number | null = null;
          const summary = await integrateAll(url, async (connection) => {
            if (signing) signed = (await signCheckpointIfDue(connection, signing)) ?? signed;
          });
          // The head it leaves gets a checkpoint whatever the interval: cron's run ends signed.
          if (signing)
            signed =
              (await withIntegratorConnection(url, (connection) =>
                signCheckpointIfDue(connection, { ...signing, intervalS: 0 }),
              )) ?? signed;
          return { summary, signed };
        });
        const root = summary.root.toString('base64');
        const rate = summary.seconds > 0 ? Math.round(summary.leaves / summary.seconds) : null;
        if (options.format === 'json') printJson({ ...summary, root, leavesPerSecond: rate, checkpointSigned: signed });
        else
          process.stdout.write(
            `tree size ${summary.size}, root ${root}\n` +
              `${summary.leaves} leaves integrated in ${summary.seconds.toFixed(1)} s` +
              `${rate === null ? '' : ` (${rate} leaves/s)`}\n` +
              (signed === null ? '' : `checkpoint signed at tree size ${signed}\n`),
          );
      }),
    );
}
