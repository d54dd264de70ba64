import { existsSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { BadInputError, OperatorError } from '../base/errors';
import { UnreadableBundleError, verifyBundle } from '../verifier/bundle';
import { UnreadablePackageError, verifyPackage } from '../verifier/compliance-package';
import { NoteVerificationError } from '../verifier/note';
import { commandAction, type Outcome } from './command-action';
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

/** `verify-bundle --package DIR`: prints what verifyPackage found; exit 1 on any failure, each one named. */
async function verifyPackageFolder(dir: string, keys: string[], format: 'text' | 'json'): Promise<Outcome> {
  let result: Awaited<ReturnType<typeof verifyPackage>>;
  try {
    result = await verifyPackage(dir, keys);
  } catch (error) {
    if (error instanceof UnreadablePackageError || error instanceof NoteVerificationError)
      throw new OperatorError(`--package ${dir}: ${error.message}`);
    throw error;
  }
  if (format === 'json') printJson(result);
  else {
    for (const problem of result.problems) process.stdout.write(`FAILED: ${problem}\n`);
    process.stdout.write(
      result.ok
        ? `verified: compliance package ${result.period!.from} to ${result.period!.until}, ${result.files} files, ` +
            `signed by ${result.signedBy.join(', ')}; checkpoints ${result.first!.size} → ${result.last!.size} consistent\n`
        : `NOT VERIFIED: ${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}\n`,
    );
  }
  return result.ok ? EXIT_DONE : EXIT_FOUND;
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
        "record's inclusion in its tree — or, with --package, a compliance package folder; exit 0 everything " +
        'verifies, 1 something does not (named), 2 unreadable',
    )
    .argument('[file]', 'the bundle `auditgraph prove` wrote')
    .option('--package <dir>', 'a folder `auditgraph package` wrote, instead of a bundle file')
    .requiredOption('--key <key>', "the log's verifier key, or a file of them one a line (keys.txt)")
    .addOption(formatOption(['text', 'json']))
    .action(
      commandAction(
        async (file: string | undefined, options: { key: string; package?: string; format: 'text' | 'json' }) => {
          if ((file === undefined) === (options.package === undefined))
            throw new BadInputError('verify-bundle takes a bundle file, or --package <dir>', 'package');
          const keys = await verifierKeysOf(options.key);
          if (options.package !== undefined) return verifyPackageFolder(options.package, keys, options.format);
          let result: ReturnType<typeof verifyBundle>;
          try {
            result = verifyBundle(await bundleText(file!), keys);
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
        },
      ),
    );
}
