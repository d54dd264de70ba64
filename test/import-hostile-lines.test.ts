import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { ImportError, importFile } from '../src/import/import-files';
import { dateTimes } from './harness/edge-dates';
import { startTestGateway, type TestGateway } from './harness/gateway';

const TABLES = ['trade_decisions', 'trade_executions', 'api_payloads', 'positions', 'audit_events'];

/** What PostgreSQL cannot store, as JSON spells it inside a string or a key. */
const unstorable = fc.constantFrom('\\u0000', '\\ud800', '\\udfff', 'a\\ud83d', '\\ude00b');

/**
 * A trading log line either goes into the record as it is or is refused by
 * the importer itself with `file:line` — never by PostgreSQL halfway through
 * a batch (a bare SQLSTATE and no line), and never stored in a form that
 * later reads fail on (a timestamp out of the supported range).
 */
describe('import refuses, at its line, what the record cannot hold', () => {
  let gateway: TestGateway;
  let dir: string;
  let order = 0;

  beforeAll(async () => {
    gateway = await startTestGateway();
    dir = await mkdtemp(path.join(os.tmpdir(), 'auditgraph-import-hostile-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await gateway.close();
  });

  const counts = async () => {
    const rows = await gateway.orm.em
      .getConnection()
      .execute<{ n: string }[]>(TABLES.map((table) => `select count(*)::text as n from ${table}`).join(' union all '));
    return rows.map((row) => row.n);
  };

  /**
   * Imports a file of a good line, then `hostile`, then another good line; returns what was
   * refused, or null when it was imported.
   */
  async function importAround(hostile: string): Promise<string[] | null> {
    const good = () =>
      `{"timestamp":"2025-03-04T10:00:00.000001+00:00","event_type":"order_submitted",` +
      `"order_id":"good-${order++}","symbol":"SPY","side":"buy","quantity":1,"price":1,` +
      `"order_type":"market","status":"accepted","nav":1,"model":"m"}`;
    const file = path.join(dir, 'orders.jsonl');
    await writeFile(file, `${good()}\n${hostile}\n${good()}\n`);
    try {
      await importFile(gateway.orm.em.fork(), file, { actor: 'test' });
      return null;
    } catch (error) {
      if (!(error instanceof ImportError)) throw error;
      return error.problems;
    }
  }

  it(
    'takes a timestamp only within the supported range, and refuses any other at its line, ' + 'writing nothing',
    async () => {
      await fc.assert(
        fc.asyncProperty(dateTimes, async ({ text, valid }) => {
          const before = await counts();
          const problems = await importAround(
            `{"timestamp":"${text}","event_type":"order_submitted","order_id":"edge-${order++}",` +
              `"symbol":"SPY","side":"buy","quantity":1,"price":1,"order_type":"market",` +
              `"status":"accepted","nav":1,"model":"m"}`,
          );
          if (valid) {
            expect(problems).toBeNull();
            // What was stored reads back: the decisions list answers (no out-of-range instant in it).
            const { errors } = await gateway.execute('{ decisions(first: 100) { nodes { createdAt } } }');
            expect(errors).toBeUndefined();
          } else {
            expect(problems).toEqual([
              expect.stringMatching(/^orders\.jsonl:2: "timestamp" must be an ISO 8601 timestamp/),
            ]);
            expect(await counts()).toEqual(before);
          }
        }),
        { numRuns: 60 },
      );
    },
  );

  it(
    'refuses NUL and lone surrogates anywhere in a line — a nested value, a key — at its line, ' + 'writing nothing',
    async () => {
      await fc.assert(
        fc.asyncProperty(unstorable, fc.constantFrom('value', 'key', 'nested', 'field'), async (bad, where) => {
          const extra = {
            value: `"extra":"x${bad}y"`,
            key: `"k${bad}":1`,
            nested: `"extra":{"a":[1,{"b":"${bad}"}]}`,
            field: `"note":"${bad}"`,
          }[where];
          const before = await counts();
          const problems = await importAround(
            `{"timestamp":"2025-03-04T10:00:00+00:00","event_type":"order_submitted",` +
              `"order_id":"nul-${order++}","symbol":"SPY","side":"buy","quantity":1,"price":1,` +
              `"order_type":"market","status":"accepted","nav":1,"model":"m",${extra}}`,
          );
          expect(problems).toEqual([
            expect.stringMatching(/^orders\.jsonl:2: holds a character PostgreSQL cannot store/),
          ]);
          expect(await counts()).toEqual(before);
        }),
        { numRuns: 20 },
      );
    },
  );
});
