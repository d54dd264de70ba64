import { isLosslessNumber, LosslessNumber, parse } from 'lossless-json';

/**
 * RFC 8785 JSON Canonicalization Scheme, the verifier's own writer (it shares
 * no code with the prover's): no whitespace; object members sorted by their
 * keys' UTF-16 code units; strings escaped as ECMAScript's JSON.stringify
 * does; numbers in ECMAScript's Number-to-String form. One extension, the
 * API's exact numbers: a LosslessNumber (a number whose digits are not the
 * ECMAScript form of any double — 12345678901234567890, 10.50) is written
 * with its digits, so a record recomputes byte for byte from the API's answer.
 */

/** A value JCS cannot write (not I-JSON); the message names where it is. */
export class CanonicalJsonError extends Error {
  override readonly name = 'CanonicalJsonError';
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function writeString(text: string, at: string): string {
  if (LONE_SURROGATE.test(text)) throw new CanonicalJsonError(`${at} holds a lone surrogate (not I-JSON)`);
  return JSON.stringify(text);
}

function write(value: unknown, at: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return writeString(value, at);
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalJsonError(`${at} is ${value}, which JSON cannot hold`);
      return String(value); // ECMAScript's form, which JCS adopts (and -0 is written 0)
    case 'object': {
      if (isLosslessNumber(value)) return value.value;
      if (Array.isArray(value)) return `[${value.map((item, index) => write(item, `${at}[${index}]`)).join(',')}]`;
      const prototype = Object.getPrototypeOf(value) as unknown;
      if (prototype !== Object.prototype && prototype !== null)
        throw new CanonicalJsonError(`${at} is not a JSON object`);
      const members = Object.keys(value)
        .sort() // UTF-16 code unit order, as RFC 8785 §3.2.3 asks
        .map((key) => `${writeString(key, at)}:${write((value as Record<string, unknown>)[key], `${at}.${key}`)}`);
      return `{${members.join(',')}}`;
    }
    default:
      throw new CanonicalJsonError(`${at} is a ${typeof value}, not a JSON value`);
  }
}

/** The RFC 8785 canonical JSON text of a JSON value (JavaScript numbers and LosslessNumbers). */
export function canonicalJson(value: unknown): string {
  return write(value, 'the value');
}

/**
 * JSON text read as the API wrote it: a number stays a JavaScript number when
 * its text is that number's ECMAScript form, else it is kept as a
 * LosslessNumber with its digits. So canonicalJson writes every number back
 * exactly as it was read; no rounding between the answer and the leaf.
 * Throws lossless-json's SyntaxError (with a position) for text that is not JSON, duplicate keys included.
 */
export function parseExactJson(text: string): unknown {
  return parse(text, null, (digits: string) =>
    String(Number(digits)) === digits ? Number(digits) : new LosslessNumber(digits),
  );
}
