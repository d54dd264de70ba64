import fc from 'fast-check';
import { isLosslessNumber } from 'lossless-json';
import { createOrm, type Orm } from '../src/database/orm';
import {
  emptyBundle,
  type PendingRecord,
  RecordError,
  type Row,
  writeBundle,
  zeroCounts,
} from '../src/record/record-writer';
import { inWriteTransaction } from '../src/record/write-transaction';
import { createTestDatabase, type TestDatabase } from './harness/database';
import {
  asNumeric,
  BIGINT_MAX,
  BIGINT_MIN,
  bigintSpelling,
  changedLeaf,
  characters,
  chooser,
  decimalSpelling,
  decimalUnits,
  deltaUpTo,
  exactlyParsed,
  type Json,
  jsonDocuments,
  type JsonPath,
  leavesOf,
  instants,
  instantSpelling,
  replacedAt,
  shifted,
  shiftedInstant,
  spellJson,
} from './harness/record-values';

// A record sent again is compared with what is stored, by PostgreSQL; a CONFLICT
// names every column that differs with both values exactly as stored, and the
// first differing field (down to a JSON path) with excerpts that line up.

let database: TestDatabase;
let orm: Orm;
let keys = 0;

beforeAll(async () => {
  database = await createTestDatabase();
  orm = await createOrm({ databaseUrl: database.url, poolMax: 2 });
});
afterAll(async () => {
  await orm.close();
  await database.drop();
});

type Table = 'positions' | 'audit_events';
/** Sent again in a later transaction, or twice in one batch. */
type Mode = 'again' | 'in one batch';
const modes = fc.constantFrom<Mode>('again', 'in one batch');

const write = (table: Table, records: PendingRecord[]) =>
  inWriteTransaction(orm.em.fork(), async (trx) => {
    const bundle = emptyBundle();
    bundle[table === 'positions' ? 'positions' : 'events'] = records;
    const counts = zeroCounts();
    await writeBundle(trx, bundle, counts, 'property-test');
    return counts[table];
  });

/**
 * Records `first`, then `second` under the same key; answers the CONFLICT message, or null when the
 * second was unchanged.
 */
async function sendTwice(table: Table, mode: Mode, first: Row, second: Row): Promise<string | null> {
  const [a, b] = [
    { source: 'first', row: first },
    { source: 'second', row: second },
  ];
  try {
    if (mode === 'in one batch') expect(await write(table, [a, b])).toEqual({ created: 1, unchanged: 0 });
    else {
      expect(await write(table, [a])).toEqual({ created: 1, unchanged: 0 });
      expect(await write(table, [b])).toEqual({ created: 0, unchanged: 1 });
    }
    return null;
  } catch (error) {
    if (error instanceof RecordError && error.code === 'CONFLICT') return error.message;
    throw error;
  }
}

const recordedLabel = (mode: Mode) => (mode === 'again' ? 'recorded' : 'at first');

/** As PostgreSQL writes values of a type in JSON (a timestamptz at the session's zone, a jsonb number as numeric). */
async function rendered(sql: string, value: string): Promise<string> {
  const { rows } = (await orm.em.getKnex().raw(`select ${sql} as text`, [value])) as { rows: { text: string }[] };
  return rows[0]!.text;
}
const renderedInstant = (text: string) => rendered(`to_jsonb(?::timestamptz) #>> '{}'`, text);
const renderedJson = (text: string) => rendered(`(?::jsonb)::text`, text);

/**
 * A column that either holds the same content spelled another way, or a different one; `shown` is
 * how a CONFLICT shows both.
 */
type ColumnCase = {
  first: unknown;
  second: unknown;
  differs: boolean;
  field: string;
  shown: () => Promise<[string, string]>;
};

const decimalCase = (column: string) =>
  fc.tuple(decimalUnits, fc.boolean(), deltaUpTo(10n ** 20n - 1n)).chain(([units, same, delta]) => {
    const other = same ? units : shifted(units, delta, -(10n ** 20n - 1n), 10n ** 20n - 1n);
    return fc.tuple(decimalSpelling(units), decimalSpelling(other)).map(([first, second]): ColumnCase => ({
      first,
      second,
      differs: other !== units,
      field: column,
      shown: async () => [asNumeric(units), asNumeric(other)],
    }));
  });

const instantCase = (column: string) =>
  fc.tuple(instants, fc.boolean(), deltaUpTo(10n ** 12n)).chain(([instant, same, delta]) => {
    const other = same ? instant : shiftedInstant(instant, delta);
    return fc.tuple(instantSpelling(instant), instantSpelling(other)).map(([first, second]): ColumnCase => ({
      first,
      second,
      differs: other.micros !== instant.micros,
      field: column,
      shown: async () => [await renderedInstant(first), await renderedInstant(second)],
    }));
  });

const bigintCase = (column: string) =>
  fc
    .tuple(fc.bigInt({ min: BIGINT_MIN, max: BIGINT_MAX }), fc.boolean(), deltaUpTo(2n ** 62n))
    .chain(([value, same, delta]) => {
      const other = same ? value : shifted(value, delta, BIGINT_MIN, BIGINT_MAX);
      return fc.tuple(bigintSpelling(value), bigintSpelling(other)).map(([first, second]): ColumnCase => ({
        first,
        second,
        differs: other !== value,
        field: column,
        shown: async () => [value.toString(), other.toString()],
      }));
    });

/** `event_data.signals[2]["weird key"]`, written here independently of the code under test. */
const pathName = (column: string, path: JsonPath) =>
  path.reduce<string>(
    (name, step) =>
      typeof step === 'number'
        ? `${name}[${step}]`
        : /^[A-Za-z_]\w*$/.test(step)
          ? `${name}.${step}`
          : `${name}[${JSON.stringify(step)}]`,
    column,
  );

/**
 * A JSON document and the same content respelled (numbers in other notations, keys reordered), or
 * one value changed.
 */
const jsonCase = (column: string) =>
  // A document with no leaf (`{"a": {}}`, `[[]]`) has no value to change in place; the fixed
  // examples below cover added and removed keys.
  fc
    .tuple(
      jsonDocuments.filter((document) => leavesOf(document).length > 0),
      fc.boolean(),
      fc.integer(),
      fc.integer(),
    )
    .map(([document, same, seed, pick]): ColumnCase => {
      const leaves = leavesOf(document);
      const [path, leaf] = leaves[Math.abs(pick) % leaves.length]!;
      const other: Json = same ? document : replacedAt(document, path, changedLeaf(leaf));
      const choose = chooser(seed);
      const [first, second] = [exactlyParsed(spellJson(document, choose)), exactlyParsed(spellJson(other, choose))];
      return {
        first,
        second,
        differs: !same,
        field: pathName(column, path),
        shown: async () => [await renderedLeaf(first, path), await renderedLeaf(second, path)],
      };
    });

/**
 * The value at `path` as PostgreSQL writes it, from the very token sent (jsonb keeps a number's
 * scale: `1.50` stays `1.50`).
 */
async function renderedLeaf(document: unknown, path: JsonPath): Promise<string> {
  const leaf = path.reduce<unknown>(
    (value, step) => (value as Record<string | number, unknown> | undefined)?.[step],
    document,
  );
  if (leaf === undefined) return 'absent';
  return renderedJson(isLosslessNumber(leaf) ? leaf.value : JSON.stringify(leaf));
}

/**
 * Checks one re-sent record: unchanged when no column differs, else a CONFLICT that names each
 * differing column, exactly, and no other.
 */
async function expectNamed(message: string | null, mode: Mode, cases: Record<string, ColumnCase>): Promise<void> {
  const differing = Object.entries(cases).filter(([, column]) => column.differs);
  if (differing.length === 0) return expect(message).toBeNull();
  expect(message).not.toBeNull();
  for (const [name, column] of Object.entries(cases)) {
    if (!column.differs) {
      expect(message).not.toMatch(new RegExp(`(?:\\(|; )${name}\\b`));
      continue;
    }
    const [recorded, sent] = await column.shown();
    expect(message).toContain(`${column.field}: ${recorded} ${recordedLabel(mode)}, ${sent} now`);
  }
}

describe('a record sent again is compared exactly, and a CONFLICT names every differing value', () => {
  const position = () => ({
    external_id: `pos-${++keys}`,
    account: 'PA-1',
    symbol: 'NVDA',
    quantity: '1',
    avg_cost: '1',
    status: 'open',
    opened_at: '2026-10-01T14:00:00Z',
  });
  const event = () => ({
    external_id: `evt-${++keys}`,
    log_type: 'SYSTEM',
    event: 'probe',
    event_data: {},
    occurred_at: '2026-10-01T14:00:00Z',
  });
  it.each([
    [
      'a decimal in its last digit',
      position,
      { quantity: '98765432.98765431' },
      { quantity: '98765432.98765432' },
      'quantity: 98765432.98765431 recorded, 98765432.98765432 now',
    ],
    [
      'an instant by one microsecond',
      position,
      { opened_at: '2026-10-01T14:00:00.123456Z' },
      { opened_at: '2026-10-01T16:00:00.123457+02:00' },
      'opened_at: 2026-10-01T14:00:00.123456+00:00 recorded, 2026-10-01T14:00:00.123457+00:00 now',
    ],
    [
      'a bigint near 2^63',
      event,
      { subject_table: 'positions', subject_id: '9223372036854775807' },
      { subject_table: 'positions', subject_id: '9223372036854775806' },
      'subject_id: 9223372036854775807 recorded, 9223372036854775806 now',
    ],
    [
      'a JSON integer past 2^53',
      event,
      { event_data: exactlyParsed('{"n": 9007199254740993}') },
      { event_data: exactlyParsed('{"n": 9007199254740992}') },
      'event_data.n: 9007199254740993 recorded, 9007199254740992 now',
    ],
    [
      'a JSON decimal in its 19th digit',
      event,
      { event_data: exactlyParsed('{"signals": [{"score": 0.1000000000000000001}]}') },
      { event_data: exactlyParsed('{"signals": [{"score": 0.1000000000000000002}]}') },
      'event_data.signals[0].score: 0.1000000000000000001 recorded, 0.1000000000000000002 now',
    ],
    [
      'a JSON key added',
      event,
      { event_data: { a: {} } },
      { event_data: { a: {}, added: 0 } },
      'event_data.added: absent recorded, 0 now',
    ],
    [
      'a JSON key removed, and another changed after it',
      event,
      { event_data: { a: {}, b: 1 } },
      { event_data: { b: 2 } },
      'event_data.a: {} recorded, absent now (and 1 more in event_data)',
    ],
  ])('names %s', async (_case, base, first, second, shown) => {
    const row = { ...base(), ...first };
    const table = 'account' in row ? 'positions' : 'audit_events';
    expect(await sendTwice(table, 'again', row, { ...row, ...second })).toBe(
      `second: ${table} ${row.external_id} is already recorded with different content (${shown})`,
    );
  });

  it(
    'decimals and µs timestamps: every differing column named with both stored values, ' +
      'every equal spelling unchanged',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          modes,
          decimalCase('quantity'),
          decimalCase('avg_cost'),
          instantCase('opened_at'),
          instantCase('closed_at'),
          async (mode, quantity, avgCost, openedAt, closedAt) => {
            const key = `pos-${++keys}`;
            const row = (side: 'first' | 'second') => ({
              external_id: key,
              account: 'PA-1',
              symbol: 'NVDA',
              status: 'open',
              quantity: quantity[side],
              avg_cost: avgCost[side],
              opened_at: openedAt[side],
              closed_at: closedAt[side],
            });
            const message = await sendTwice('positions', mode, row('first'), row('second'));
            await expectNamed(message, mode, { quantity, avg_cost: avgCost, opened_at: openedAt, closed_at: closedAt });
          },
        ),
        { numRuns: 150 },
      );
    },
  );

  it(
    'bigints up to 2^63-1 and JSON numbers (huge, many decimals, exponents, -0, nested): ' +
      'the differing value and its path named, equal spellings unchanged',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          modes,
          bigintCase('subject_id'),
          jsonCase('event_data'),
          instantCase('occurred_at'),
          async (mode, subjectId, eventData, occurredAt) => {
            const key = `evt-${++keys}`;
            const row = (side: 'first' | 'second') => ({
              external_id: key,
              log_type: 'SYSTEM',
              event: 'probe',
              subject_table: 'positions',
              subject_id: subjectId[side],
              event_data: eventData[side],
              occurred_at: occurredAt[side],
            });
            const message = await sendTwice('audit_events', mode, row('first'), row('second'));
            await expectNamed(message, mode, { subject_id: subjectId, event_data: eventData, occurred_at: occurredAt });
          },
        ),
        { numRuns: 150 },
      );
    },
  );

  it(
    'equal spellings named in the issue are unchanged: 10.5 and 10.50000000, Z and +02:00, reordered keys, ' +
      '1e2 and 100',
    async () => {
      const key = `pos-${++keys}`;
      const position = {
        external_id: key,
        account: 'PA-1',
        symbol: 'NVDA',
        quantity: '10.5',
        avg_cost: null,
        status: 'open',
        opened_at: '2026-10-01T14:00:00.123456Z',
      };
      expect(
        await sendTwice('positions', 'again', position, {
          ...position,
          quantity: '10.50000000',
          opened_at: '2026-10-01T16:00:00.123456+02:00',
        }),
      ).toBeNull();
      const event = {
        external_id: `evt-${++keys}`,
        log_type: 'SYSTEM',
        event: 'probe',
        event_data: exactlyParsed('{"a": 1e2, "b": [-0, 1.50]}'),
        occurred_at: '2026-10-01T14:00:00Z',
      };
      expect(
        await sendTwice('audit_events', 'again', event, {
          ...event,
          event_data: exactlyParsed('{"b": [0, 1.5], "a": 100}'),
        }),
      ).toBeNull();
    },
  );
});

/** Code points, so that a character outside the BMP counts once, as the message counts it. */
const codePoints = (text: string) => Array.from(text);
const firstDifferenceAt = (a: string[], b: string[]) => {
  let at = 0;
  while (at < a.length && at < b.length && a[at] === b[at]) at++;
  return at;
};

/**
 * The message shows `field from character N: <excerpt> <label>, <excerpt> now`: both excerpts
 * cut at the same characters of their values, around the first difference, with context before it.
 */
function expectAlignedExcerpts(message: string, field: string, recorded: string, sent: string, label: string): void {
  const [a, b] = [codePoints(recorded), codePoints(sent)];
  const at = firstDifferenceAt(a, b);
  const shown = new RegExp(
    `${field.replace(/[.[\]"\\]/g, '\\$&')} from character (\\d+): ([^,]*) ${label}, ([^,]*) now`,
  ).exec(message);
  expect(shown).not.toBeNull();
  expect(Number(shown![1])).toBe(at + 1);
  const [excerptA, excerptB] = [shown![2]!, shown![3]!].map((excerpt) =>
    codePoints(excerpt.replace(/^…/, '').replace(/…$/, '').replace(/^…/, '')),
  );
  expect(shown![2]!.startsWith('…')).toBe(shown![3]!.startsWith('…'));
  const start = shown![2]!.startsWith('…')
    ? Array.from({ length: at + 1 }, (_, index) => index).find(
        (index) =>
          a.slice(index, index + excerptA!.length).join('') === excerptA!.join('') &&
          b.slice(index, index + excerptB!.length).join('') === excerptB!.join(''),
      )
    : 0;
  expect(start).toBeDefined();
  expect(a.slice(start, start! + excerptA!.length)).toEqual(excerptA);
  expect(b.slice(start, start! + excerptB!.length)).toEqual(excerptB);
  // The first differing character is in both excerpts, after some of what comes before it.
  expect(at - start!).toBeGreaterThanOrEqual(Math.min(at, 10));
  expect(at - start!).toBeLessThan(Math.max(excerptA!.length, excerptB!.length));
}

/** A long text and the same text changed at one random position: a character replaced, inserted or removed. */
const longTextPairs = fc
  .tuple(
    fc.string({ unit: characters, minLength: 61, maxLength: 3000 }),
    fc.nat(),
    fc.constantFrom('replace', 'insert', 'remove'),
    characters,
  )
  .map(([text, pick, change, character]) => {
    const chars = codePoints(text);
    const at = pick % chars.length;
    const changed =
      change === 'insert'
        ? [...chars.slice(0, at), character, ...chars.slice(at)]
        : change === 'remove'
          ? [...chars.slice(0, at), ...chars.slice(at + 1)]
          : [...chars.slice(0, at), character, ...chars.slice(at + 1)];
    return [text, changed.join('')] as const;
  })
  .filter(([a, b]) => a !== b);

describe('a CONFLICT shows where long values differ', () => {
  it('a long text column: the column, the first differing character and both values around it, aligned', async () => {
    await fc.assert(
      fc.asyncProperty(modes, longTextPairs, async (mode, [recorded, sent]) => {
        const row = {
          external_id: `pos-${++keys}`,
          account: recorded,
          symbol: 'NVDA',
          quantity: '1',
          status: 'open',
          opened_at: '2026-10-01T14:00:00Z',
        };
        const message = await sendTwice('positions', mode, row, { ...row, account: sent });
        expect(message).not.toBeNull();
        expectAlignedExcerpts(message!, 'account', recorded, sent, recordedLabel(mode));
      }),
      { numRuns: 100 },
    );
  });

  it('a long JSON document: the JSON path of the first difference, and both values there', async () => {
    const documents = fc.tuple(
      longTextPairs,
      fc.array(fc.integer({ min: -1e6, max: 1e6 }), { minLength: 100, maxLength: 300 }),
      fc.uniqueArray(fc.nat(), { minLength: 1, maxLength: 3 }),
      fc.constantFrom('text', 'series'),
    );
    await fc.assert(
      fc.asyncProperty(modes, documents, async (mode, [[long, longChanged], series, picks, where]) => {
        const indexes = [...new Set(picks.map((pick) => pick % series.length))].sort((a, b) => a - b);
        const changedSeries = series.map((value, index) =>
          where === 'series' && indexes.includes(index) ? value + 1 : value,
        );
        const document = (text: string, numbers: number[]) => ({
          notes: { long: text, kept: 'same' },
          series: numbers,
          strategy: 'congress',
        });
        const row = {
          external_id: `evt-${++keys}`,
          log_type: 'SYSTEM',
          event: 'probe',
          event_data: document(long, series),
          occurred_at: '2026-10-01T14:00:00Z',
        };
        const message = await sendTwice('audit_events', mode, row, {
          ...row,
          event_data: where === 'text' ? document(longChanged, series) : document(long, changedSeries),
        });
        expect(message).not.toBeNull();
        if (where === 'text')
          expectAlignedExcerpts(
            message!,
            'event_data.notes.long',
            JSON.stringify(long),
            JSON.stringify(longChanged),
            recordedLabel(mode),
          );
        else {
          const first = indexes[0]!;
          expect(message).toContain(
            `event_data.series[${first}]: ${series[first]} ${recordedLabel(mode)}, ${series[first]! + 1} now`,
          );
          if (indexes.length > 1) expect(message).toContain(`(and ${indexes.length - 1} more in event_data)`);
        }
      }),
      { numRuns: 100 },
    );
  });
});
