import { canonicalBase64, isKeyName } from './encoding';

/**
 * A checkpoint body as auditgraph signs it (C2SP tlog-checkpoint plus one
 * extension line): `<origin>\n<size>\n<base64 root>\ntime <UTC instant, microseconds>\n`.
 */
export interface VerifiedCheckpoint {
  origin: string;
  /** At most 2^53 - 1: a larger tree is refused rather than rounded. */
  size: number;
  /** Standard base64 of the 32-byte root hash, as in the note. */
  root: string;
  /** `YYYY-MM-DDTHH:MM:SS.ffffffZ`. */
  time: string;
}

export class CheckpointFormatError extends Error {
  override readonly name = 'CheckpointFormatError';
}

const TIME = /^time (\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.\d{6}Z$/;

function isRealTime(line: string): boolean {
  const match = TIME.exec(line);
  if (match === null) return false;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as number[] as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return (
    year >= 1 &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    hour < 24 &&
    minute < 60 &&
    second < 60
  );
}

export function readCheckpoint(text: string): VerifiedCheckpoint & { rootHash: Buffer } {
  if (!text.endsWith('\n')) throw new CheckpointFormatError('the checkpoint does not end in a newline');
  const lines = text.slice(0, -1).split('\n');
  if (lines.length !== 4)
    throw new CheckpointFormatError(`the checkpoint has ${lines.length} lines, not 4 (origin, size, root, time)`);
  const [origin, size, root, time] = lines as [string, string, string, string];
  if (!isKeyName(origin))
    throw new CheckpointFormatError('the checkpoint origin is empty or has a space, + or control character');
  if (!/^(0|[1-9][0-9]*)$/.test(size))
    throw new CheckpointFormatError('the checkpoint size is not a decimal without leading zeros');
  if (!Number.isSafeInteger(Number(size)))
    throw new CheckpointFormatError(`the checkpoint size is beyond 2^53 - 1: ${size.slice(0, 40)}`);
  const rootHash = canonicalBase64(root);
  if (rootHash === null || rootHash.length !== 32)
    throw new CheckpointFormatError('the checkpoint root is not the canonical base64 of 32 bytes');
  if (!isRealTime(time))
    throw new CheckpointFormatError('the checkpoint time line is not "time YYYY-MM-DDTHH:MM:SS.ffffffZ"');
  return { origin, size: Number(size), root, time: time.slice('time '.length), rootHash };
}
