import { type Command, Option } from 'commander';
import { loadConfig } from '../base/config';
import { recordVerifiedTree } from '../chain/verification-runs';
import { verifyRecord } from '../chain/verify-record';
import { number } from './arguments';
import { commandAction } from './command-action';
import { EXIT_DONE, EXIT_FOUND } from './exit-codes';
import { formatOption, printJson } from './output-format';
import { withOrm } from './with-orm';
import { countOf, progressBar, progressOption } from './progress';

/** What each mode guarantees: `verify --help` says it, README "Verifying the record" repeats it. */
const GUARANTEES = `
Default run (seconds, whatever the size of the record):
  - every signed checkpoint, in merkle_checkpoints and in each witness folder,
    is signed by a trusted key and the current tree is proved (RFC 9162
    consistency proof from the stored nodes) to extend it: a checkpoint larger
    than the tree is reported "truncated", one the tree does not extend
    "rewritten/forked", naming the checkpoint; so is the tree a previous run verified;
  - the stored nodes make the root merkle_integration holds, and nothing is
    stored beyond the tree;
  - each table has exactly one leaf per integrated record (a deleted or
    smuggled-in row is named when the counts differ);
  - every record integrated since the last intact run is re-encoded and
    re-hashed against its leaf (the first run: every record);
  - no record has been committed longer than AUDITGRAPH_INTEGRATION_BOUND_S
    without being integrated.
  It does not re-read records verified by an earlier run: a row changed in
  place, or a leaf hash changed, since then is found by --full.
--full (reads every record and every node):
  - everything above, every record re-encoded and compared with its leaf
    (changed, gone or not in the tree, each named with its table and id),
    every stored node recomputed from the leaves, and the legacy chain (events
    written before the Merkle tree) verified as before.
Trusted keys: --key and the witness folders' keys.txt when given, otherwise
checkpoint_keys. Without a witness folder, a superuser who rewrites the tree
and its checkpoints consistently (or cuts its tail) is not detected: publish
checkpoints (auditgraph checkpoint publish --to DIR) and verify against them.
Exit 0 intact, 1 a break found, 2 could not run. An intact run is recorded in
chain_verifications (tree size, root, mode).`;

const collect = (value: string, previous: string[]) => [...previous, value];

type VerifyCommandOptions = {
  limit: number;
  format: 'text' | 'json';
  full: boolean;
  witness: string[];
  key: string[];
  progress?: boolean;
};

/** The tamper-evidence check: the tree against its checkpoints and its records; a break is its exit code. */
export function registerChainCommands(program: Command): void {
  program
    .command('verify')
    .description(
      'prove the record intact: the Merkle tree against every checkpoint and every record against its leaf; exit 0 intact, 1 tampered, 2 could not run',
    )
    .option('--full', 're-encode every record, recompute every stored node, verify the legacy chain', false)
    .option(
      '--witness <dir>',
      'a witness folder of published checkpoints (repeatable; also AUDITGRAPH_WITNESS_DIR)',
      collect,
      [],
    )
    .option('--key <key>', 'a trusted verifier key, or a file of them (repeatable)', collect, [])
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
    .addOption(progressOption())
    .addHelpText('after', GUARANTEES)
    .action(
      commandAction(async (options: VerifyCommandOptions) => {
        const config = loadConfig();
        const witnessDirs = [...(config.witnessDir ? [config.witnessDir] : []), ...options.witness];
        const bar = progressBar('verify', options);
        const result = await withOrm(async (orm) => {
          const verified = await verifyRecord(orm.em.fork(), {
            onProgress: (done, total) => bar.update(done, total, `${countOf(done, total)} leaves re-hashed`),
            limit: options.limit,
            full: options.full,
            witnessDirs,
            keys: options.key,
            integrationBoundS: config.integrationBoundS,
          }).finally(() => bar.stop());
          if (verified.intact)
            await recordVerifiedTree(orm.em.fork(), {
              size: Number(verified.treeSize),
              root: verified.root,
              full: options.full,
            });
          return verified;
        });
        const { root: _root, ...shown } = result;
        if (options.format === 'json') printJson(shown);
        else {
          process.stdout.write(
            `${result.intact ? 'intact' : 'TAMPERED'}${result.full ? ' (full)' : ''}: tree of ${result.treeSize} leaves ` +
              `consistent with ${result.checkpoints} checkpoints, ${result.leavesRehashed} leaves re-hashed` +
              (result.full
                ? `, ${result.nodesRecomputed} nodes recomputed, legacy chain of ${result.events} events and ${result.records} records`
                : '') +
              ` in ${result.durationMs} ms\n`,
          );
          if (result.firstBreak) process.stdout.write(`first break: ${result.firstBreak.problem}\n`);
          for (const found of result.breaks.slice(1)) process.stdout.write(`  also: ${found.problem}\n`);
        }
        return result.intact ? EXIT_DONE : EXIT_FOUND;
      }),
    );
}
