import fc from 'fast-check';
import { LosslessNumber, parse } from 'lossless-json';

// Values as producers spell them, for property tests of the record writer:
// each arbitrary gives a value's canonical content and ways to spell it.

/** numeric(20,8): up to 12 integer and 8 fraction digits, held as a count of 1e-8 units. */
const MAX_UNITS = 10n ** 20n - 1n;
export const decimalUnits = fc.bigInt({ min: -MAX_UNITS, max: MAX_UNITS });

/** As PostgreSQL writes a numeric(20,8): `-0.50000000`. */
export function asNumeric(units: bigint): string {
  const magnitude = units < 0n ? -units : units;
  return `${units < 0n ? '-' : ''}${magnitude / 10n ** 8n}.${(magnitude % 10n ** 8n).toString().padStart(8, '0')}`;
}

/** Another spelling of the same decimal: trailing zeros kept or trimmed, leading zeros, `-0` for zero. */
export const decimalSpelling = (units: bigint) =>
  fc
    .record({
      fraction: fc.integer({ min: 0, max: 8 }),
      leading: fc.integer({ min: 0, max: 3 }),
      negativeZero: fc.boolean(),
    })
    .map(({ fraction, leading, negativeZero }) => {
      const [integer, digits] = asNumeric(units).replace('-', '').split('.') as [string, string];
      const kept = digits.slice(0, Math.max(digits.replace(/0+$/, '').length, fraction));
      const padded = integer.length + leading <= 12 ? '0'.repeat(leading) + integer : integer;
      const sign = units < 0n || (units === 0n && negativeZero) ? '-' : '';
      return `${sign}${padded}${kept ? `.${kept}` : ''}`;
    });

/** A value moved by `delta`, kept inside [min, max] by moving the other way when needed. */
export const shifted = (value: bigint, delta: bigint, min: bigint, max: bigint) =>
  value + delta <= max && value + delta >= min ? value + delta : value - delta;

/** Mostly tiny differences (the last digit, where floats fail), sometimes large ones. */
export const deltaUpTo = (max: bigint) =>
  fc
    .tuple(fc.oneof(fc.bigInt({ min: 1n, max: 1000n }), fc.bigInt({ min: 1n, max })), fc.boolean())
    .map(([delta, negative]) => (negative ? -delta : delta));

export const BIGINT_MIN = -(2n ** 63n);
export const BIGINT_MAX = 2n ** 63n - 1n;

/** A bigint as a producer may send it: digits in a string (leading zeros too) or a JSON number held exactly. */
export const bigintSpelling = (value: bigint) =>
  fc
    .constantFrom<'text' | 'zeros' | 'number'>('text', 'zeros', 'number')
    .map((style) =>
      style === 'number'
        ? new LosslessNumber(value.toString())
        : style === 'zeros'
          ? value.toString().replace(/^(-?)/, '$100')
          : value.toString(),
    );

/** An instant in microseconds since the epoch, from a wall time in years 0001–9999 and a UTC offset in minutes. */
export type Instant = { micros: bigint; offset: number };

const utcMillis = (year: number, month: number, day: number, hour: number, minute: number, second: number) => {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  return date.getTime();
};

const offsets = fc.oneof(
  fc.integer({ min: -12 * 60, max: 14 * 60 }),
  fc.constantFrom(0, -12 * 60, 14 * 60, 5 * 60 + 30),
);

export const instants = fc
  .record({
    year: fc.oneof(fc.integer({ min: 1, max: 9999 }), fc.constantFrom(1, 2, 1970, 9998, 9999)),
    month: fc.integer({ min: 1, max: 12 }),
    day: fc.integer({ min: 1, max: 28 }),
    hour: fc.integer({ min: 0, max: 23 }),
    minute: fc.integer({ min: 0, max: 59 }),
    second: fc.integer({ min: 0, max: 59 }),
    micro: fc.oneof(fc.integer({ min: 0, max: 999_999 }), fc.constantFrom(0, 1, 999_999, 500_000)),
    offset: offsets,
  })
  .map(({ year, month, day, hour, minute, second, micro, offset }): Instant => ({
    micros:
      BigInt(utcMillis(year, month, day, hour, minute, second)) * 1000n + BigInt(micro) - BigInt(offset) * 60_000_000n,
    offset,
  }));

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

/** The instant written at `offset` (ISO 8601), or null when its wall time there falls outside years 0001–9999. */
function spelledAt(micros: bigint, offset: number, fraction: 'six' | 'trimmed', zulu: boolean): string | null {
  const wall = micros + BigInt(offset) * 60_000_000n;
  const millis = wall >= 0n ? wall / 1000n : (wall - 999n) / 1000n;
  const micro = Number(wall - millis * 1000n) + new Date(Number(millis)).getUTCMilliseconds() * 1000;
  const date = new Date(Number(millis));
  if (date.getUTCFullYear() < 1 || date.getUTCFullYear() > 9999) return null;
  const digits = pad(micro, 6);
  const shownFraction =
    fraction === 'six' ? `.${digits}` : digits.replace(/0+$/, '') ? `.${digits.replace(/0+$/, '')}` : '';
  const zone =
    offset === 0 && zulu
      ? 'Z'
      : `${offset < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
  return (
    `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}` +
    `T${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}${shownFraction}` +
    `${zone}`
  );
}

/** The same instant spelled at another offset (or its own), with six or trimmed fraction digits, `Z` or `+00:00`. */
export const instantSpelling = (instant: Instant) =>
  fc
    .record({
      offset: fc.oneof(fc.constant(instant.offset), offsets),
      fraction: fc.constantFrom<'six' | 'trimmed'>('six', 'trimmed'),
      zulu: fc.boolean(),
    })
    .map(
      ({ offset, fraction, zulu }) =>
        spelledAt(instant.micros, offset, fraction, zulu) ?? spelledAt(instant.micros, instant.offset, fraction, zulu)!,
    );

/** An instant moved by `delta` µs whose wall time at its offset stays in years 0001–9999. */
export const shiftedInstant = (instant: Instant, delta: bigint): Instant => {
  const later = { ...instant, micros: instant.micros + delta };
  return spelledAt(later.micros, later.offset, 'six', false) ? later : { ...instant, micros: instant.micros - delta };
};

// JSON documents whose numbers are held as text, so their spellings can vary while their values stay exact.

export type JsonNumber = { negative: boolean; digits: bigint; exponent: number };
export type Json =
  | { kind: 'number'; value: JsonNumber }
  | { kind: 'string'; value: string }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' }
  | { kind: 'array'; items: Json[] }
  | { kind: 'object'; entries: [string, Json][] };

/** Characters PostgreSQL text and jsonb accept, a few that JSON escapes, and some outside the BMP. */
export const characters = fc.oneof(
  { arbitrary: fc.constantFrom(...'abcdef0123456789 -_'), weight: 8 },
  fc.constantFrom('é', '€', '𝄞', '"', '\\', '\n', '\t', 'ß'),
);

/** Huge integers, many fraction digits, exponents both ways, -0. */
export const jsonNumbers = fc.record({
  negative: fc.boolean(),
  digits: fc.oneof(
    fc.bigInt({ min: 0n, max: 10n ** 25n }),
    fc.constantFrom(0n, 2n ** 63n + 1n, 2n ** 64n, 9007199254740993n),
  ),
  exponent: fc.integer({ min: -20, max: 10 }),
});

const KEYS = ['a', 'b', 'score', 'signals', 'x_1', 'weird key', 'é'];

export const jsonDocuments: fc.Arbitrary<Json> = fc.letrec<{ value: Json; object: Json }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    jsonNumbers.map((value): Json => ({ kind: 'number', value })),
    fc.string({ unit: characters, maxLength: 8 }).map((value): Json => ({ kind: 'string', value })),
    fc.boolean().map((value): Json => ({ kind: 'boolean', value })),
    fc.constant<Json>({ kind: 'null' }),
    fc.array(tie('value'), { maxLength: 4 }).map((items): Json => ({ kind: 'array', items })),
    tie('object'),
  ),
  object: fc
    .uniqueArray(fc.tuple(fc.constantFrom(...KEYS), tie('value')), { selector: ([key]) => key, maxLength: 4 })
    .map((entries): Json => ({ kind: 'object', entries })),
})).object;

/** A small seeded generator, so one fast-check seed decides every spelling choice in a document. */
export function chooser(seed: number) {
  let state = seed >>> 0;
  return (choices: number) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) % choices;
  };
}

/** One of many spellings of a number's value: plain or with an exponent, with or without trailing zeros. */
export function spellNumber({ negative, digits, exponent }: JsonNumber, choose: (choices: number) => number): string {
  const sign = negative ? '-' : '';
  const text = digits.toString();
  switch (choose(3)) {
    case 0:
      return `${sign}${text}e${exponent}`;
    case 1: {
      // A mantissa with a point: d.ddd × 10^(exponent + its digits after the point).
      const mantissa = text.length > 1 ? `${text[0]}.${text.slice(1)}` : text;
      return (
        `${sign}${mantissa}${choose(2) ? 'E' : 'e'}${exponent + text.length - 1 >= 0 ? '+' : ''}` +
        `${exponent + text.length - 1}`
      );
    }
    default: {
      const zeros = '0'.repeat(choose(3));
      if (exponent >= 0)
        return `${sign}${digits === 0n ? '0' : text + '0'.repeat(exponent)}${zeros ? `.${zeros}` : ''}`;
      const padded = text.padStart(-exponent + 1, '0');
      return `${sign}${padded.slice(0, padded.length + exponent)}.${padded.slice(padded.length + exponent)}${zeros}`;
    }
  }
}

/** JSON text of a document, its keys in a chosen order, its numbers spelled as chosen, with chosen whitespace. */
export function spellJson(document: Json, choose: (choices: number) => number): string {
  const space = () => [' ', '', '\n  '][choose(3)];
  switch (document.kind) {
    case 'number':
      return spellNumber(document.value, choose);
    case 'string':
      return JSON.stringify(document.value);
    case 'boolean':
      return String(document.value);
    case 'null':
      return 'null';
    case 'array':
      return `[${document.items.map((item) => `${space()}${spellJson(item, choose)}`).join(',')}]`;
    case 'object': {
      const entries = [...document.entries];
      for (let index = entries.length - 1; index > 0; index--) {
        const other = choose(index + 1);
        [entries[index], entries[other]] = [entries[other]!, entries[index]!];
      }
      const members = entries.map(
        ([key, value]) => `${space()}${JSON.stringify(key)}:${space()}${spellJson(value, choose)}`,
      );
      return `{${members.join(',')}}`;
    }
  }
}

/** Parsed as an exact parser hands it over: every number a LosslessNumber. */
export const exactlyParsed = (text: string) => parse(text) as Record<string, unknown>;

export type JsonPath = (string | number)[];

/** Every scalar in a document, with its path. */
export function leavesOf(document: Json, path: JsonPath = []): [JsonPath, Json][] {
  if (document.kind === 'array') return document.items.flatMap((item, index) => leavesOf(item, [...path, index]));
  if (document.kind === 'object') return document.entries.flatMap(([key, value]) => leavesOf(value, [...path, key]));
  return [[path, document]];
}

/** A value certainly different from `leaf`: a number gains a digit, a string a character, a boolean flips. */
export function changedLeaf(leaf: Json): Json {
  switch (leaf.kind) {
    case 'number':
      return {
        kind: 'number',
        value: { ...leaf.value, digits: leaf.value.digits * 10n + 1n, exponent: leaf.value.exponent - 1 },
      };
    case 'string':
      return { kind: 'string', value: `${leaf.value}x` };
    case 'boolean':
      return { kind: 'boolean', value: !leaf.value };
    default:
      return { kind: 'number', value: { negative: false, digits: 0n, exponent: 0 } };
  }
}

/** The document with the value at `path` replaced. */
export function replacedAt(document: Json, path: JsonPath, value: Json): Json {
  if (path.length === 0) return value;
  const [step, ...rest] = path;
  if (document.kind === 'array')
    return {
      kind: 'array',
      items: document.items.map((item, index) => (index === step ? replacedAt(item, rest, value) : item)),
    };
  if (document.kind === 'object')
    return {
      kind: 'object',
      entries: document.entries.map(([key, inner]) => [key, key === step ? replacedAt(inner, rest, value) : inner]),
    };
  throw new Error('no such path');
}
