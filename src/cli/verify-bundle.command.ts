import { existsSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { OperatorError } from '../base/errors';
import { UnreadableBundleError, verifyBundle } from '../verifier/bundle';
import { NoteVerificationError } from '../verifier/note';
import { commandAction } from './command-action';
import { EXIT_DONE, EXIT_FOUND } from './exit-codes';
import { formatOption, printJson } from './output-format';

/** Larger than any bundle `prove` writes (a provenance of 5,000 records is ~15 MB); a larger file is refused unread. */
const MAX_BUNDLE_BYTES = 128 * 1024 * 1024;

/** `--key`: a verifier key's text, or a file of them one a line (a witness folder's keys.txt). */
async function verifierKeysOf(key: string): Promise<string[]> {
  const text = existsSync(key) ? await readFile(key, 'utf8') : key;
  const keys = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  if (keys.length === 0) throw new OperatorError(`--key ${key} holds no verifier key`);
  return keys;
}

/** The bundle's text, refused past MAX_BUNDLE_BYTES before it is read. */
async function bundleText(file: string): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    if (size > MAX_BUNDLE_BYTES) {
      throw new OperatorError(`${file} is ${size} bytes, larger than any proof bundle (${MAX_BUNDLE_BYTES})`);
    }
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

/**
 * `verify-bundle`: the examiner's check, with src/verifier only — no
 * configuration, database or network is used, so it runs anywhere the bundle
 * and the public key are.
 */
export function registerVerifyBundleCommand(program: Command): void {
  program
    .command('verify-bundle')
    .description(
      'check a proof bundle offline (no database, no network): the checkpoint signed by a given key, every ' +
        "record's inclusion in its tree; exit 0 every record verifies, 1 one does not (named), 2 unreadable",
    )
    .argument('<file>', 'the bundle `auditgraph prove` wrote')
    .requiredOption('--key <key>', "the log's verifier key, or a file of them one a line (keys.txt)")
    .addOption(formatOption(['text', 'json']))
    .action(
      commandAction(async (file: string, options: { key: string; format: 'text' | 'json' }) => {
        const keys = await verifierKeysOf(options.key);
        let result: ReturnType<typeof verifyBundle>;
        try {
          result = verifyBundle(await bundleText(file), keys);
        } catch (error) {
          if (error instanceof UnreadableBundleError || error instanceof NoteVerificationError)
            throw new OperatorError(`${file}: ${error.message}`);
          throw error;
        }
        if (options.format === 'json') printJson(result);
        else {
          const { checkpoint } = result;
          if (checkpoint) {
            process.stdout.write(
              `checkpoint ${checkpoint.origin} tree size ${checkpoint.size} (${checkpoint.time}), ` +
                `signed by ${result.signedBy.join(', ')}\n`,
            );
          }
          const failed = result.entries.filter((entry) => !entry.ok);
          if (result.problem) process.stdout.write(`FAILED: ${result.problem}\n`);
          for (const entry of failed) process.stdout.write(`FAILED: ${entry.name}: ${entry.problem}\n`);
          process.stdout.write(
            result.ok
              ? `verified: ${result.entries.length} record${result.entries.length === 1 ? '' : 's'}\n`
              : `NOT VERIFIED: ${failed.length} of ${result.entries.length} records fail\n`,
          );
        }
        return result.ok ? EXIT_DONE : EXIT_FOUND;
      }),
    );
}
