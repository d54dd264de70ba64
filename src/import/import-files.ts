import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { EntityManager } from '@mikro-orm/postgresql';
import { RecordError, writeBundle, type WriteCounts, zeroCounts } from '../record/record-writer';
import { inWriteTransaction } from '../record/write-transaction';
import { byteLines } from './byte-lines';
import { emptyLogBatch } from './log-batch';
import { settleOrderErrors } from './order-errors';
import { emptyBook, settleFills } from './position-lots';
import { importLine, LineError } from './trading-log';
import { firstUtf8Fault } from './utf8';

/** Lines validated and written per round trip: large enough to amortise, small enough to keep memory flat. */
const BATCH_LINES = 2_000;
/** After the first bad line the rest is still read, to list up to this many problems in one go. */
const MAX_REPORTED = 10;
/** Unlinked lines named in the summary; all of them are counted. */
const MAX_UNLINKED_NAMED = 100;

export type Progress = { file: string; lines: number; bytesRead: number; bytes: number };
/**
 * `unlinked`: lines kept but linked to no order (see settleOrderErrors): all
 * counted, the first MAX_UNLINKED_NAMED named as `file:line: why`.
 */
export type FileImport = {
  file: string;
  lines: number;
  seconds: number;
  counts: WriteCounts;
  unlinked: { count: number; named: string[] };
};

/** A file that was not imported, and every line that says why (`orders.jsonl:50000: …`). */
export class ImportError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(
      `${file}: nothing imported: ${problems[0]}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`,
    );
  }
}

/**
 * Imports one JSONL trading log in one transaction: streamed line by line
 * (memory stays flat whatever the size), validated, written in batches
 * through the idempotent record writer. Any bad line rolls the whole file
 * back; importing the same file again adds nothing.
 */
export async function importFile(
  em: EntityManager,
  path: string,
  options: { actor: string; onProgress?: (progress: Progress) => void },
): Promise<FileImport> {
  const started = process.hrtime.bigint();
  const file = basename(path);
  const { size } = await stat(path);
  const counts = zeroCounts();
  const problems: string[] = [];
  const unlinked = { count: 0, named: [] as string[] };
  let lines = 0;
  await inWriteTransaction(em, async (trx) => {
    // Bytes, not text: a decoding stream would silently turn invalid UTF-8 into U+FFFD.
    const stream = createReadStream(path);
    const book = emptyBook();
    let batch = emptyLogBatch();
    let inBatch = 0;
    // One batch is written while the next is read and validated: the parser and
    // the database each keep a core busy. A failure waits to be rethrown here.
    let writing: Promise<void> = Promise.resolve();
    let failure: unknown;
    const flush = async () => {
      await writing;
      const [written, writtenLines] = [batch, inBatch];
      batch = emptyLogBatch();
      inBatch = 0;
      const progress = { file, lines, bytesRead: stream.bytesRead, bytes: size };
      writing = (async () => {
        if (writtenLines > 0 && problems.length === 0 && failure === undefined) {
          await settleFills(trx, written, book);
          await settleOrderErrors(trx, written);
          unlinked.count += written.unlinked.length;
          unlinked.named.push(...written.unlinked.slice(0, MAX_UNLINKED_NAMED - unlinked.named.length));
          await writeBundle(trx, written.bundle, counts, options.actor);
        }
        options.onProgress?.(progress);
      })().catch((error: unknown) => {
        if (error instanceof RecordError) problems.push(error.message);
        else failure ??= error;
      });
    };
    for await (const { bytes, number, offset } of byteLines(stream)) {
      lines = number;
      const fault = firstUtf8Fault(bytes);
      if (fault) {
        problems.push(
          `${file}:${lines}: not valid UTF-8 at byte offset ${offset + fault.offset} of the file (${fault.reason})`,
        );
        if (problems.length >= MAX_REPORTED) break;
        continue;
      }
      const raw = bytes.toString('utf8');
      if (raw.trim() === '') continue;
      try {
        importLine(raw, `${file}:${lines}`, batch);
        inBatch++;
      } catch (error) {
        if (!(error instanceof LineError)) throw error;
        problems.push(`${file}:${lines}: ${error.message}`);
        if (problems.length >= MAX_REPORTED) break;
      }
      if (inBatch >= BATCH_LINES) await flush();
      if (failure !== undefined) throw failure;
    }
    await flush();
    await writing;
    if (failure !== undefined) throw failure;
    stream.destroy();
    // Rolls back everything this file wrote. A batch's write errors arrive while
    // the next batch is read, so the problems are put back in line order.
    const lineOf = (problem: string) => Number(problem.slice(file.length + 1).split(':', 1)[0]);
    if (problems.length > 0)
      throw new ImportError(
        file,
        problems.sort((a, b) => lineOf(a) - lineOf(b)),
      );
  });
  return { file, lines, seconds: Number(process.hrtime.bigint() - started) / 1e9, counts, unlinked };
}
