import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { OperatorError } from '../base/errors';
import type { Checkpoint } from '../checkpoint/checkpoint-body';
import { openCheckpoint } from '../checkpoint/checkpoint-note';
import { type NoteVerifier, parseVerifierKey } from '../checkpoint/note-keys';
import type { Findings } from './chain-verification';
import type { Db } from './verification-snapshot';
import { WITNESS_KEYS_FILE } from '../proof/witness-folder';

/** A signed checkpoint that opened with a trusted key, and where it was found. */
export type KnownCheckpoint = Checkpoint & { from: string; signed: true };

/** The witness folder's public keys, as `auditgraph checkpoint publish` writes them beside the checkpoints. */
const CHECKPOINT_FILE = /\.checkpoint$/;

export type TrustOptions = {
  /** Witness folders: `<size>.checkpoint` files and keys.txt (src/proof publishes them). */
  witnessDirs: readonly string[];
  /** Verifier keys, each a key text or the path of a file of key lines. */
  keys: readonly string[];
};

const keyLines = (text: string): string[] =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));

function parseKeys(lines: readonly string[], where: string): NoteVerifier[] {
  return lines.map((line) => {
    try {
      return parseVerifierKey(line);
    } catch (error) {
      throw new OperatorError(`${where}: not a verifier key (${(error as Error).message})`);
    }
  });
}

function checkFolder(dir: string): void {
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new OperatorError(`the witness folder ${dir} does not exist`);
}

/** `--key` values: each a verifier key's text, or the path of a file of key lines. */
export function verifierKeysOf(keys: readonly string[]): NoteVerifier[] {
  return keys.flatMap((key) =>
    parseKeys(existsSync(key) ? keyLines(readFileSync(key, 'utf8')) : [key.trim()], `--key ${key}`),
  );
}

/**
 * The keys a checkpoint must be signed by. Keys from outside the database
 * (--key, a witness folder's keys.txt) when there are any, so a key a
 * superuser slipped into checkpoint_keys earns no trust; checkpoint_keys
 * (every key that has signed, rotated ones included) otherwise.
 */
async function trustedKeys(db: Db, options: TrustOptions): Promise<NoteVerifier[]> {
  const outside = verifierKeysOf(options.keys);
  for (const dir of options.witnessDirs) {
    checkFolder(dir);
    const file = path.join(dir, WITNESS_KEYS_FILE);
    if (existsSync(file)) outside.push(...parseKeys(keyLines(readFileSync(file, 'utf8')), file));
  }
  if (outside.length > 0) return outside;
  const { rows } = await db.query<{ key: string }>(`select verifier_key as key from checkpoint_keys`);
  return parseKeys(
    rows.map(({ key }) => key),
    'checkpoint_keys',
  );
}

/**
 * Every checkpoint of merkle_checkpoints and of the witness folders that
 * opens with a trusted key and says what its row says; each that does not is
 * a finding naming it (and is left out of the consistency checks).
 */
export async function trustedCheckpoints(
  db: Db,
  options: TrustOptions,
  findings: Findings,
): Promise<KnownCheckpoint[]> {
  const verifiers = await trustedKeys(db, options);
  const known: KnownCheckpoint[] = [];
  const open = (note: string, from: string): Checkpoint | undefined => {
    try {
      return openCheckpoint(note, verifiers).checkpoint;
    } catch (error) {
      findings.add({
        kind: 'checkpoint',
        problem: `${from}: not a checkpoint signed by a trusted key: ${(error as Error).message}`,
      });
      return undefined;
    }
  };
  const { rows } = await db.query<{ size: string; root: Buffer; note: string }>(
    `select tree_size::text as size, root, note from merkle_checkpoints order by tree_size`,
  );
  for (const row of rows) {
    const from = `the checkpoint of size ${row.size} in merkle_checkpoints`;
    const checkpoint = open(row.note, from);
    if (!checkpoint) continue;
    if (String(checkpoint.size) !== row.size || !checkpoint.root.equals(row.root)) {
      findings.add({
        kind: 'checkpoint',
        problem: `rewritten: ${from} holds a note signed for size ${checkpoint.size}, root ${checkpoint.root.toString('base64')}`,
      });
      continue;
    }
    known.push({ ...checkpoint, from: 'merkle_checkpoints', signed: true });
  }
  for (const dir of options.witnessDirs) {
    checkFolder(dir);
    for (const name of readdirSync(dir)
      .filter((file) => CHECKPOINT_FILE.test(file))
      .sort()) {
      const file = path.join(dir, name);
      const checkpoint = open(readFileSync(file, 'utf8'), file);
      // The database's own checkpoint, published: one head, proved once.
      const same = known.some((head) => head.size === checkpoint?.size && head.root.equals(checkpoint.root));
      if (checkpoint && !same) known.push({ ...checkpoint, from: file, signed: true });
    }
  }
  return known;
}
