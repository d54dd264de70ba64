import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { createOrm, type Orm } from '../src/database/orm';
import { ImportError, importFile } from '../src/import/import-files';
import { createTestDatabase, type TestDatabase, withClient } from './harness/database';

/** Byte sequences that are not UTF-8 (Unicode table 3-7), each one ill-formed from its first byte. */
const INVALID = fc
  .oneof(
    fc.tuple(fc.constantFrom(0xc0, 0xc1), fc.integer({ min: 0x80, max: 0xbf })), // overlong two-byte forms
    // overlong three-byte forms
    fc.tuple(fc.constant(0xe0), fc.integer({ min: 0x80, max: 0x9f }), fc.integer({ min: 0x80, max: 0xbf })),
    fc.tuple(
      fc.constant(0xf0),
      fc.integer({ min: 0x80, max: 0x8f }),
      fc.integer({ min: 0x80, max: 0xbf }),
      fc.integer({ min: 0x80, max: 0xbf }),
    ), // overlong four-byte
    fc.integer({ min: 0x80, max: 0xbf }).map((byte) => [byte]), // a lone continuation byte
    // a surrogate, e.g. ED A0 80
    fc.tuple(fc.constant(0xed), fc.integer({ min: 0xa0, max: 0xbf }), fc.integer({ min: 0x80, max: 0xbf })),
    fc.tuple(
      fc.constant(0xf4),
      fc.integer({ min: 0x90, max: 0xbf }),
      fc.integer({ min: 0x80, max: 0xbf }),
      fc.integer({ min: 0x80, max: 0xbf }),
    ), // above U+10FFFF
    fc.integer({ min: 0xf5, max: 0xff }).map((byte) => [byte, 0x80, 0x80, 0x80]), // leads of nothing
    fc.tuple(fc.constantFrom(0xe2, 0xf0), fc.constantFrom(0x98, 0x9f)), // a sequence cut short by what follows
  )
  .map((bytes) => Buffer.from(bytes));

/** A proper prefix of a valid multi-byte character: invalid only where the file ends. */
const TRUNCATED = fc
  .integer({ min: 0x80, max: 0x10ffff })
  .filter((point) => point < 0xd800 || point > 0xdfff)
  .chain((point) => {
    const bytes = Buffer.from(String.fromCodePoint(point));
    return fc.integer({ min: 1, max: bytes.length - 1 }).map((length) => bytes.subarray(0, length));
  });

/** Strings of any Unicode scalar values (astral ones, U+FEFF, …) that the importer's text fields accept. */
const MODEL = fc
  .string({ unit: 'binary', minLength: 1, maxLength: 40 })
  .map((text) => `${text.replaceAll('\u0000', '')}\uFEFF`)
  .filter((text) => text.trim() !== '');

let runs = 0;
const orderLines = (models: string[]) => {
  const run = ++runs;
  return models.map((model, index) =>
    JSON.stringify({
      timestamp: '2025-11-18T14:30:00.123456+00:00',
      event_type: 'order_submitted',
      order_id: `utf8-${run}-${index}`,
      symbol: 'SPY',
      side: 'buy',
      quantity: 10,
      price: 666.23,
      order_type: 'market',
      status: 'accepted',
      nav: 100000,
      model,
    }),
  );
};

/** Offsets at which a line of `bytes` starts, and which are character boundaries. */
function characterBoundaries(bytes: Buffer): number[] {
  const boundaries: number[] = [];
  for (let offset = 0; offset <= bytes.length; offset++)
    if (offset === bytes.length || (bytes[offset]! & 0xc0) !== 0x80) boundaries.push(offset);
  return boundaries;
}

/**
 * `auditgraph import` reads UTF-8 exactly: a file with any ill-formed byte is refused whole, naming
 * line and offset.
 */
describe('import and UTF-8', () => {
  let database: TestDatabase;
  let orm: Orm;
  let dir: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    orm = await createOrm({ databaseUrl: database.url, poolMax: 2 });
    dir = await mkdtemp(path.join(os.tmpdir(), 'auditgraph-utf8-'));
  });
  afterAll(async () => {
    await orm.close();
    await rm(dir, { recursive: true, force: true });
    await database.drop();
  });

  const decisions = () =>
    withClient(
      database.url,
      async (client) =>
        (await client.query<{ n: number }>('select count(*)::int as n from trade_decisions')).rows[0]!.n,
    );

  async function importBytes(bytes: Buffer) {
    const file = path.join(dir, 'orders.jsonl');
    await writeFile(file, bytes);
    return importFile(orm.em.fork(), file, { actor: 'test' });
  }

  async function expectRefusedAt(bytes: Buffer, offset: number) {
    const line = bytes.subarray(0, offset).filter((byte) => byte === 0x0a).length + 1;
    const before = await decisions();
    const refusal = await importBytes(bytes).then(
      () => null,
      (error: unknown) => error,
    );
    expect(refusal).toBeInstanceOf(ImportError);
    expect((refusal as ImportError).problems[0]).toMatch(
      new RegExp(`^orders\\.jsonl:${line}: not valid UTF-8 at byte offset ${offset} of the file \\(`),
    );
    expect(await decisions()).toBe(before);
  }

  it(
    'refuses a file with an ill-formed sequence anywhere, naming its line and byte offset, ' + 'and writes nothing',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(MODEL, { minLength: 1, maxLength: 4 }),
          INVALID,
          fc.nat(),
          fc.boolean(),
          async (models, invalid, where, trailingNewline) => {
            const valid = Buffer.from(orderLines(models).join('\n') + (trailingNewline ? '\n' : ''));
            const boundaries = characterBoundaries(valid);
            const offset = boundaries[where % boundaries.length]!;
            await expectRefusedAt(Buffer.concat([valid.subarray(0, offset), invalid, valid.subarray(offset)]), offset);
          },
        ),
        { numRuns: 60 },
      );
    },
  );

  it('refuses a file that ends inside a multi-byte character', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(MODEL, { minLength: 1, maxLength: 3 }),
        TRUNCATED,
        fc.boolean(),
        async (models, truncated, ownLine) => {
          const valid = Buffer.from(orderLines(models).join('\n') + (ownLine ? '\n' : ''));
          await expectRefusedAt(Buffer.concat([valid, truncated]), valid.length);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('imports any valid Unicode byte for byte: astral characters, U+FEFF, CRLF line ends', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(MODEL, { minLength: 1, maxLength: 4 }), fc.boolean(), async (models, crlf) => {
        const lines = orderLines(models);
        await importBytes(Buffer.from(lines.join(crlf ? '\r\n' : '\n')));
        const ids = lines.map((line) => (JSON.parse(line) as { order_id: string }).order_id);
        const stored = await withClient(
          database.url,
          async (client) =>
            (
              await client.query<{ strategy: string; model: string; bytes: string }>(
                `select d.strategy, p.payload ->> 'model' as model,
                       encode(convert_to(d.strategy, 'UTF8'), 'hex') as bytes
             from trade_decisions d join api_payloads p on p.external_id = d.decision_id || ':request'
             where d.decision_id = any($1) order by d.decision_id`,
                [ids],
              )
            ).rows,
        );
        const expected = models
          .map((model, index) => ({ id: ids[index]!, model }))
          .sort((a, b) => (a.id < b.id ? -1 : 1));
        expect(stored).toEqual(
          expected.map(({ model }) => ({ strategy: model, model, bytes: Buffer.from(model).toString('hex') })),
        );
      }),
      { numRuns: 30 },
    );
  });
});
