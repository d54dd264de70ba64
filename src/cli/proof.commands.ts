import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type Command, Option } from 'commander';
import { BadInputError, OperatorError } from '../base/errors';
import { NoteKeyError } from '../checkpoint/note-keys';
import { writeNewSignerKey } from '../integrator/checkpoint-key';
import { fromGlobalId } from '../lineage/global-id';
import { newestCheckpoint } from '../proof/checkpoint-reads';
import { emQueryable } from '../proof/em-queryable';
import { provenanceRecords } from '../proof/lineage-records';
import { proofBundle } from '../proof/proof-bundle';
import { describeRef, recordRefOf } from '../proof/record-ref';
import { publishCheckpoints, WitnessConflictError } from '../proof/witness-folder';
import { number } from './arguments';
import { commandAction } from './command-action';
import { EXIT_DONE, EXIT_FOUND } from './exit-codes';
import { formatOption, printJson } from './output-format';
import { withOrm } from './with-orm';

const treeSizeOption = () =>
  new Option(
    '--tree-size <n>',
    'prove against the checkpoint signed at this tree size (default: the newest)',
  ).argParser(
    number('--tree-size', (value) => Number.isSafeInteger(value) && value >= 1, 'a tree size: a whole number from 1'),
  );

/** ` (tree size 8)`, ` (tree sizes 8…21)`, or nothing. */
const sizesOf = (sizes: number[]) =>
  sizes.length === 0
    ? ''
    : sizes.length === 1
      ? ` (tree size ${sizes[0]})`
      : ` (tree sizes ${sizes[0]}…${sizes.at(-1)})`;

type ProveOptions = { lineage?: string; out?: string; treeSize?: number };

/** `prove`, `checkpoint show`, `checkpoint publish`: the prover's side (README "Proofs"). */
export function registerProofCommands(program: Command): void {
  program
    .command('prove')
    .description(
      'write a self-contained proof bundle (records, leaves, inclusion proofs, one signed checkpoint) for ' +
        '`auditgraph verify-bundle`; exit 1 when a record no longer matches its leaf',
    )
    .argument('[id]', 'the id of a node, an audit event or a correction, as the API returns it')
    .option('--lineage <position id>', "every record of a position's provenance (the README's provenance query)")
    .option('--out <file>', 'write the bundle here instead of stdout')
    .addOption(treeSizeOption())
    .action(
      commandAction(async (id: string | undefined, options: ProveOptions) => {
        if ((id === undefined) === (options.lineage === undefined)) {
          throw new BadInputError('prove takes one record id, or --lineage <position id>');
        }
        const bundle = await withOrm(async (orm) => {
          const em = orm.em.fork();
          const refs = options.lineage
            ? await provenanceRecords(em, fromGlobalId(options.lineage, '--lineage', 'Position').databaseId)
            : [recordRefOf(id!, 'id')];
          return proofBundle(emQueryable(em), refs, options.treeSize ?? null);
        });
        if (options.out) await writeFile(options.out, bundle.text);
        else process.stdout.write(bundle.text);
        const { checkpoint, proofs } = bundle;
        console.error(
          `${proofs.length} record${proofs.length === 1 ? '' : 's'} proved against the checkpoint of tree size ` +
            `${checkpoint.treeSize} (${checkpoint.time}, key ${checkpoint.keyName})${options.out ? ` in ${options.out}` : ''}`,
        );
        const changed = proofs.filter((proof) => !proof.matchesLeaf);
        for (const proof of changed) {
          console.error(`CHANGED: ${describeRef(proof.ref)} no longer hashes to its leaf ${proof.leafIndex}`);
        }
        return changed.length > 0 ? EXIT_FOUND : EXIT_DONE;
      }),
    );

  const checkpoint = program
    .command('checkpoint')
    .description('signed checkpoints of the Merkle tree: show, publish, keygen');

  checkpoint
    .command('keygen')
    .description(
      'write a new Ed25519 signer key for AUDITGRAPH_CHECKPOINT_KEY_FILE (mode 600) and its verifier key ' +
        '(<file>.pub, for examiners and verify-bundle --key); never overwrites a file',
    )
    .requiredOption('--name <name>', 'the key name signatures carry, e.g. auditgraph.example.com (no space, no +)')
    .requiredOption('--out <file>', 'the signer key file to write')
    .action(
      commandAction(async (options: { name: string; out: string }) => {
        try {
          const { verifierKey } = await writeNewSignerKey(path.resolve(options.out), options.name);
          console.log(`signer key written to ${path.resolve(options.out)}; verifier key (also in its .pub):`);
          console.log(verifierKey);
          return EXIT_DONE;
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          if (error instanceof NoteKeyError) throw new OperatorError(`--name: ${error.message}`);
          if (code === 'EEXIST') throw new OperatorError(`${options.out} exists: a key is never overwritten`);
          if (code) throw new OperatorError(`cannot write ${options.out}: ${code}`);
          throw error;
        }
      }),
    );

  checkpoint
    .command('show')
    .description('print the newest signed checkpoint (its signed note), or exit 1 when none is signed yet')
    .addOption(formatOption(['text', 'json']))
    .action(
      commandAction(async (options: { format: 'text' | 'json' }) => {
        const newest = await withOrm((orm) => newestCheckpoint(emQueryable(orm.em.fork())));
        if (!newest) {
          console.error('auditgraph: no checkpoint has been signed yet');
          return EXIT_FOUND;
        }
        if (options.format === 'json') {
          printJson({ ...newest, root: newest.root.toString('base64') });
        } else process.stdout.write(newest.note);
        return EXIT_DONE;
      }),
    );

  checkpoint
    .command('publish')
    .description(
      'append every checkpoint newer than a witness folder holds (one <size>.checkpoint file each, never ' +
        'overwritten) and the public keys (keys.txt); exit 1 when a file there differs from the database',
    )
    .requiredOption('--to <dir>', 'the witness folder (created if missing)')
    .action(
      commandAction(async (options: { to: string }) => {
        try {
          const done = await withOrm((orm) => publishCheckpoints(emQueryable(orm.em.fork()), options.to));
          console.log(
            `${done.written.length} checkpoint${done.written.length === 1 ? '' : 's'} written` +
              `${sizesOf(done.written)}, ` +
              `${done.alreadyThere} already there, ${done.keysAdded} key${done.keysAdded === 1 ? '' : 's'} added; ` +
              `newest published: ${done.newest ?? 'none'}`,
          );
          return EXIT_DONE;
        } catch (error) {
          if (!(error instanceof WitnessConflictError)) throw error;
          console.error(`CONFLICT: ${error.message}`);
          return EXIT_FOUND;
        }
      }),
    );
}
