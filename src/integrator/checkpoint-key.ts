import { readFile, writeFile } from 'node:fs/promises';
import { type Config, ConfigError } from '../base/config';
import { logger } from '../base/logger';
import { generateNoteKey, NoteKeyError, parseSignerKey } from '../checkpoint/note-keys';
import type { CheckpointSigning } from './checkpoint-signer';

/**
 * The embedded demo's key, made on first use: beside its PostgreSQL data
 * folder and named after it, as the cluster's password file is, so that two
 * data folders side by side (AUDITGRAPH_DATA_DIR) never share a key.
 */
export const demoKeyFile = (dataDir: string) => `${dataDir}.checkpoint-signer.key`;
const DEMO_KEY_NAME = 'auditgraph-demo';

/**
 * A new signer key in `file` (mode 600) and its verifier key in `file`.pub;
 * never overwrites: an existing file is refused with EEXIST (a key that
 * signed checkpoints must stay). `auditgraph checkpoint keygen` and the demo.
 */
export async function writeNewSignerKey(file: string, name: string): Promise<{ verifierKey: string }> {
  const { signerKey, verifierKey } = generateNoteKey(name);
  await writeFile(file, `${signerKey}\n`, { mode: 0o600, flag: 'wx' });
  await writeFile(`${file}.pub`, `${verifierKey}\n`, { mode: 0o644 });
  return { verifierKey };
}

/** The demo key file, generated when missing (a racing process's key wins). */
async function ensureDemoKey(file: string): Promise<string> {
  try {
    const { verifierKey } = await writeNewSignerKey(file, DEMO_KEY_NAME);
    logger.info({ keyFile: file, verifierKey }, 'generated the demo checkpoint signer key');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return file;
}

/**
 * The signer key's text (read and checked) and how it signs: what the
 * integrator's thread is started with, so it never reads the file again.
 */
export type CheckpointKeySetting = { signerKey: string; origin: string; intervalS: number };

/**
 * How this process signs checkpoints: the configured key file
 * (AUDITGRAPH_CHECKPOINT_KEY_FILE), else on the embedded database a demo key
 * of its own, else — DATABASE_URL without a key — none, said once. A file
 * that holds no signer key is a configuration error naming the file, never
 * its content. The origin defaults to `auditgraph/<database name>`.
 */
export async function checkpointKeySettingOf(
  config: Config,
  databaseUrl: string,
): Promise<CheckpointKeySetting | null> {
  const file =
    config.checkpointKeyFile ??
    (config.databaseUrl === undefined ? await ensureDemoKey(demoKeyFile(config.dataDir)) : null);
  if (!file) {
    logger.warn('AUDITGRAPH_CHECKPOINT_KEY_FILE is not set: the Merkle tree grows, but no checkpoint is signed');
    return null;
  }
  let signerKey: string;
  try {
    signerKey = (await readFile(file, 'utf8')).trim();
  } catch (error) {
    throw new ConfigError(`cannot read the checkpoint key file ${file}: ${(error as NodeJS.ErrnoException).code}`);
  }
  try {
    parseSignerKey(signerKey);
  } catch (error) {
    if (error instanceof NoteKeyError) throw new ConfigError(`the checkpoint key file ${file}: ${error.message}`);
    throw error;
  }
  const origin = config.checkpointOrigin ?? `auditgraph/${decodeURIComponent(new URL(databaseUrl).pathname.slice(1))}`;
  return { signerKey, origin, intervalS: config.checkpointIntervalS };
}

/** The signer of a checked setting. */
export const signingOf = ({ signerKey, origin, intervalS }: CheckpointKeySetting): CheckpointSigning => ({
  signer: parseSignerKey(signerKey),
  origin,
  intervalS,
});

/** How this process signs checkpoints (see checkpointKeySettingOf), as a signer. */
export async function checkpointSigningOf(config: Config, databaseUrl: string): Promise<CheckpointSigning | null> {
  const setting = await checkpointKeySettingOf(config, databaseUrl);
  return setting && signingOf(setting);
}
