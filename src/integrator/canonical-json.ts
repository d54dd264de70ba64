import { createHash } from 'node:crypto';
import { isLosslessNumber } from 'lossless-json';

/**
 * The prover's RFC 8785 (JCS) writer: object keys sorted by UTF-16 code
 * units (JavaScript's own string order), no whitespace, strings escaped as
 * JSON.stringify escapes them, numbers in ECMAScript's form. A LosslessNumber
 * (a number a double cannot hold as written, see src/json/exact-json.ts) is
 * written with the digits the API returns for it, so a leaf is recomputed
 * from an answer parsed the same way. The offline verifier has its own
 * writer (src/verifier/): a bug in one cannot hide in the other.
 */
export function canonicalJson(value: unknown): string {
  const parts: string[] = [];
  write(value, parts);
  return parts.join('');
}

function write(value: unknown, parts: string[]): void {
  if (value === null) parts.push('null');
  else if (typeof value === 'string') parts.push(JSON.stringify(value));
  else if (typeof value === 'boolean') parts.push(value ? 'true' : 'false');
  else if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`canonical JSON has no ${value}`);
    parts.push(JSON.stringify(value));
  } else if (isLosslessNumber(value)) parts.push(value.value);
  else if (Array.isArray(value)) {
    parts.push('[');
    value.forEach((item: unknown, index) => {
      if (index > 0) parts.push(',');
      write(item === undefined ? null : item, parts);
    });
    parts.push(']');
  } else if (typeof value === 'object') {
    const object = value as Record<string, unknown>;
    const keys = Object.keys(object)
      .filter((key) => object[key] !== undefined)
      .sort();
    parts.push('{');
    keys.forEach((key, index) => {
      if (index > 0) parts.push(',');
      parts.push(JSON.stringify(key), ':');
      write(object[key], parts);
    });
    parts.push('}');
  } else throw new TypeError(`canonical JSON has no ${typeof value}`);
}

/** The bytes a leaf hashes: the UTF-8 of the canonical JSON. */
export const canonicalBytes = (value: unknown): Buffer => Buffer.from(canonicalJson(value), 'utf8');

/** Hex SHA-256 of a value's canonical JSON: a payload body's hash, a query audit entry's. */
export const canonicalSha256 = (value: unknown): string =>
  createHash('sha256').update(canonicalBytes(value)).digest('hex');
