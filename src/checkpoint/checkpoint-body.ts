import { HASH_SIZE } from '../merkle/tree-hash';
import { type Instant, InstantError, parseDateTime } from '../time/instant';

/**
 * The body of a C2SP tlog-checkpoint: origin, tree size (decimal, no leading
 * zero), root hash (standard padded base64), then our one extension line,
 * `time <instant>` — the UTC instant the checkpoint was signed at, to the
 * microsecond (`2026-12-01T16:00:00.123456Z`), so "the checkpoint of day D"
 * is defined. Every line ends in a newline; none is empty.
 */
export interface Checkpoint {
  origin: string;
  size: number;
  root: Buffer;
  time: Instant;
}

/** Text that is not a checkpoint body of ours; the message says which line and why. */
export class CheckpointError extends Error {
  override readonly name = 'CheckpointError';
}

/** An origin we write and accept: non-empty, no Unicode space, no '+', no control character (C2SP's SHOULD, kept). */
const isValidOrigin = (origin: string): boolean => origin.length > 0 && !/[\s\u0085+\p{Cc}\uD800-\uDFFF]/u.test(origin);

function checked(checkpoint: Checkpoint): Checkpoint {
  if (!isValidOrigin(checkpoint.origin))
    throw new CheckpointError('the origin is empty or has a space, a + or a control character');
  if (!Number.isSafeInteger(checkpoint.size) || checkpoint.size < 0) {
    throw new CheckpointError('the tree size is not an integer from 0 to 2^53 - 1');
  }
  if (checkpoint.root.length !== HASH_SIZE)
    throw new CheckpointError(`the root hash is ${checkpoint.root.length} bytes, not 32`);
  let time: Instant;
  try {
    time = parseDateTime(checkpoint.time);
  } catch (error) {
    if (error instanceof InstantError) throw new CheckpointError(`the time ${error.message}`);
    throw error;
  }
  if (time !== checkpoint.time)
    throw new CheckpointError('the time is not a UTC instant written YYYY-MM-DDTHH:MM:SS.ffffffZ');
  return checkpoint;
}

export function formatCheckpoint(checkpoint: Checkpoint): string {
  const { origin, size, root, time } = checked(checkpoint);
  return `${origin}\n${size}\n${root.toString('base64')}\ntime ${time}\n`;
}

/** The strict inverse of formatCheckpoint: exactly its four lines, in its one spelling. */
export function parseCheckpoint(text: string): Checkpoint {
  if (!text.endsWith('\n')) throw new CheckpointError('a checkpoint ends in a newline');
  const lines = text.slice(0, -1).split('\n');
  if (lines.length !== 4)
    throw new CheckpointError(`a checkpoint has 4 lines (origin, size, root, time), not ${lines.length}`);
  const [origin, sizeText, rootText, timeLine] = lines as [string, string, string, string];
  if (!/^(0|[1-9][0-9]*)$/.test(sizeText))
    throw new CheckpointError('line 2, the tree size, is not a decimal without leading zeros');
  const size = Number(sizeText);
  if (!Number.isSafeInteger(size)) throw new CheckpointError('line 2, the tree size, is beyond 2^53 - 1');
  const root = Buffer.from(rootText, 'base64');
  if (root.toString('base64') !== rootText || root.length !== HASH_SIZE) {
    throw new CheckpointError('line 3, the root hash, is not the canonical base64 of 32 bytes');
  }
  if (!timeLine.startsWith('time '))
    throw new CheckpointError('line 4 is not the time extension line "time <instant>"');
  const checkpoint = checked({ origin, size, root, time: timeLine.slice('time '.length) });
  if (formatCheckpoint(checkpoint) !== text) throw new CheckpointError('the checkpoint is not in its one spelling');
  return checkpoint;
}
