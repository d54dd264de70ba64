import type { Command } from 'commander';
import { integrateAll } from '../integrator/integrate-all';
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
        const summary = await withOrm((_orm, url) => integrateAll(url));
        const root = summary.root.toString('base64');
        const rate = summary.seconds > 0 ? Math.round(summary.leaves / summary.seconds) : null;
        if (options.format === 'json') printJson({ ...summary, root, leavesPerSecond: rate });
        else
          process.stdout.write(
            `tree size ${summary.size}, root ${root}\n` +
              `${summary.leaves} leaves integrated in ${summary.seconds.toFixed(1)} s` +
              `${rate === null ? '' : ` (${rate} leaves/s)`}\n`,
          );
      }),
    );
}
