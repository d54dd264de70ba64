import { existsSync } from 'node:fs';
import bytes from 'bytes';
import { basename } from 'node:path';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Command } from 'commander';
import { BadInputError } from '../base/errors';
import { type FileImport, ImportError, importFile } from '../import/import-files';
import { commandAction, type Outcome } from './command-action';
import { EXIT_DONE, EXIT_FOUND } from './exit-codes';
import { withOrm } from './with-orm';
import { actorOption, commandActor } from './actor';
import { progressBar, progressOption } from './progress';

/** Files that others link to first: trades name orders, errors name orders. */
const IMPORT_ORDER = ['orders.jsonl', 'trades.jsonl', 'performance.jsonl', 'errors.jsonl'];

export function registerImportCommand(program: Command): void {
  program
    .command('import')
    .description(
      'import JSONL trading logs (orders, trades, performance, errors); ' +
        'each file whole or not at all, again adds nothing',
    )
    .argument('<files...>', 'orders.jsonl, trades.jsonl, performance.jsonl, errors.jsonl (imported in that order)')
    .addOption(actorOption('every event it writes'))
    .addOption(progressOption())
    .action(
      commandAction(async (files: string[], options: { actor?: string; progress?: boolean }) => {
        const actor = commandActor(options.actor);
        for (const file of files) if (!existsSync(file)) throw new BadInputError(`no such file: ${file}`, 'files');
        // Files of other names keep their order, after the four.
        const rank = (file: string) => {
          const known = IMPORT_ORDER.indexOf(basename(file));
          return known === -1 ? IMPORT_ORDER.length : known;
        };
        const ordered = [...files].sort((a, b) => rank(a) - rank(b));
        return withOrm(async (orm) => {
          let outcome: Outcome = EXIT_DONE;
          // A file refused is told and left out; the files after it are still imported.
          for (const path of ordered)
            if (!(await importOne(orm.em.fork(), path, actor, options.progress))) outcome = EXIT_FOUND;
          return outcome;
        });
      }),
    );
}

/** Imports one file and says what it wrote; false when the file was refused (its problems told on stderr). */
async function importOne(em: EntityManager, path: string, actor: string, progress?: boolean): Promise<boolean> {
  const bar = progressBar(`import ${basename(path)}`, { progress });
  try {
    const result = await importFile(em, path, {
      actor,
      onProgress: (state) =>
        bar.update(
          state.bytesRead,
          state.bytes,
          `${bytes(state.bytesRead)} of ${bytes(state.bytes)}, ${state.lines.toLocaleString('en-US')} lines`,
        ),
    }).finally(() => bar.stop());
    printImported(result);
    return true;
  } catch (error) {
    if (!(error instanceof ImportError)) throw error;
    for (const problem of error.problems) console.error(problem);
    console.error(`auditgraph: ${error.file} was not imported (nothing from it was written)`);
    return false;
  }
}

function printImported(result: FileImport): void {
  const written = Object.entries(result.counts)
    .filter(([, count]) => count.created + count.unchanged > 0)
    .map(
      ([table, count]) =>
        `${table} +${count.created}${count.unchanged ? ` (${count.unchanged} already recorded)` : ''}`,
    );
  const rate = Math.round(result.lines / result.seconds);
  console.log(
    `${result.file}: ${result.lines} lines in ${result.seconds.toFixed(1)} s (${rate} lines/s): ` +
      `${written.join(', ') || 'nothing new'}`,
  );
  if (result.unlinked.count > 0) {
    const listed =
      result.unlinked.count > result.unlinked.named.length ? ` (the first ${result.unlinked.named.length} listed)` : '';
    console.log(`${result.file}: ${result.unlinked.count} lines linked to no order, kept as SYSTEM events${listed}:`);
    for (const line of result.unlinked.named) console.log(`  ${line}`);
  }
}
