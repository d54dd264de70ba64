import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { generateNoteKey } from '../../src/checkpoint/note-keys';
import { type CliResult, runCli } from './cli';

/** A log's signing key, as an operator sets one up: the signer key in a file, the verifier key to hand out. */
export type LogKey = { keyFile: string; verifierKey: string };

export async function createLogKey(folder: string, name = 'auditgraph-test'): Promise<LogKey> {
  const { signerKey, verifierKey } = generateNoteKey(name);
  const keyFile = path.join(folder, `${name}.key`);
  await writeFile(keyFile, `${signerKey}\n`, { mode: 0o600 });
  return { keyFile, verifierKey };
}

/** `auditgraph integrate` with the key configured: the committed records become leaves, and a checkpoint is signed. */
export async function integrateAndSign(databaseUrl: string, key: LogKey): Promise<CliResult> {
  const result = await runCli(['integrate'], {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATABASE_URL: databaseUrl,
    AUDITGRAPH_CHECKPOINT_KEY_FILE: key.keyFile,
    AUDITGRAPH_CHECKPOINT_INTERVAL_S: '0',
  });
  if (result.code !== 0) throw new Error(`auditgraph integrate exited ${result.code}: ${result.stderr}`);
  return result;
}
