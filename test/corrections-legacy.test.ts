import type { EntityClass } from '@mikro-orm/core';
import { correctRecord } from '../src/corrections/correct-record';
import { type CorrectableField, CORRECTABLE_FIELDS } from '../src/corrections/correctable-fields';
import { createOrm } from '../src/database/orm';
import { toGlobalId } from '../src/graphql/global-id';
import { integrateAll } from '../src/integrator/integrate-all';
import { columnJsonSql } from '../src/integrator/record-fields';
import { parseExactJson } from '../src/json/exact-json';
import { NODE_TYPE_NAMES, NODE_TYPES, type NodeType, tableOf } from '../src/lineage/node-types';
import { runCli } from './harness/cli';
import { withClient } from './harness/database';
import { createLegacyDatabase, type LegacyDatabase } from './harness/legacy-database';
import { asSuperuser, cliEnv } from './harness/tree-drills';

// Rows written before the Merkle tree are proved twice by verify --full: by
// their leaves and by the hashes the legacy chain recorded when they were
// written. A correction changes the row, never what was written: every
// correctable field of every node type, corrected on a legacy row, must leave
// both proofs intact, and a row changed behind the correction trigger must
// still be named.

type Corrected = { type: NodeType; id: string; fields: string[] };

let database: LegacyDatabase;
let orm: Awaited<ReturnType<typeof createOrm>>;
/** Which field each corrected row was corrected in, by `table id`, to name a finding. */
const corrected = new Map<string, Corrected>();

const sql = <T extends Record<string, unknown>>(text: string, values: unknown[] = []) =>
  withClient(database.url, async (client) => (await client.query<T>(text, values)).rows);
const verifyFull = async () => {
  const result = await runCli(['verify', '--full', '--format', 'json'], cliEnv(database.url));
  const breaks = (JSON.parse(result.stdout) as { breaks: { table?: string; recordId?: string; problem: string }[] })
    .breaks;
  return { code: result.code, breaks };
};

/** The record of `type` as the API answers it now, in the correction's terms (field name → API value). */
async function currentValues(type: NodeType, id: string): Promise<Record<string, unknown>> {
  const fields = [...CORRECTABLE_FIELDS.get(type)!.values()];
  const columns = columnJsonSql(
    NODE_TYPES[type].entity as EntityClass<unknown>,
    't',
    fields.map((field) => field.column),
  );
  const [row] = await sql<{ row: string }>(
    `select json_build_object(${columns})::text as row from ${tableOf(type)} t where t.id = $1`,
    [id],
  );
  const values = parseExactJson(row!.row) as Record<string, unknown>;
  return Object.fromEntries(fields.map((field) => [field.name, field.toApi(values[field.column] ?? null)]));
}

const TEXT = 'corrected by the legacy test';

/** A value the field accepts that is not `current`, chosen by its kind (a relation: another recorded target). */
async function anotherValue(field: CorrectableField, current: unknown): Promise<unknown> {
  const other = (a: unknown, b: unknown) => (JSON.stringify(current) === JSON.stringify(a) ? b : a);
  switch (field.kind) {
    case 'instant':
      return other('2026-06-15T12:34:56.654321Z', '2026-06-15T12:34:56.654322Z');
    case 'decimal':
      return other('1234.56789012', '1234.56789013');
    case 'enum':
      return Object.values(field.enumNames!).find((name) => name !== current);
    case 'relation': {
      const currentId = current === null ? '0' : await targetIdOf(field.target!, current as string);
      const [target] = await sql<{ id: string }>(
        `select id::text from ${tableOf(field.target!)} where id <> $1 order by id limit 1`,
        [currentId],
      );
      return toGlobalId(field.target!, target!.id);
    }
    case 'value':
      if (typeof current === 'string') return `${TEXT}: ${current.slice(0, 100)}`;
      if (typeof current === 'number') return other(418, 419);
      if (current !== null && typeof current === 'object' && !Array.isArray(current))
        return { ...current, correctedByTest: true };
      // Null now: the first kind of value the field takes.
      for (const candidate of [TEXT, 418, { correctedByTest: true }]) {
        try {
          field.parse(candidate, field.name);
          return candidate;
        } catch {
          // not this kind
        }
      }
      throw new Error(`no value for ${field.name}`);
  }
}

const targetIdOf = async (type: NodeType, globalId: string) => {
  const decoded = Buffer.from(globalId, 'base64url').toString('utf8');
  expect(decoded.startsWith(`${type}:`)).toBe(true);
  return decoded.slice(type.length + 1);
};

async function correct(type: NodeType, id: string, names: string[]): Promise<void> {
  const now = await currentValues(type, id);
  const fields: Record<string, unknown> = {};
  for (const name of names) fields[name] = await anotherValue(CORRECTABLE_FIELDS.get(type)!.get(name)!, now[name]);
  await correctRecord(orm.em.fork(), 'legacy test', {
    id: toGlobalId(type, id),
    fields,
    reason: `a wrong ${names.join(', ')}`,
  });
  const key = `${tableOf(type)} ${id}`;
  corrected.set(key, { type, id, fields: [...(corrected.get(key)?.fields ?? []), ...names] });
}

beforeAll(async () => {
  database = await createLegacyDatabase({ scale: 0.01 });
  await database.upgrade();
  orm = await createOrm({ databaseUrl: database.url, poolMax: 2 });
  // Most legacy rows were integrated before their correction, as in a database that ran the tree for a while.
  await integrateAll(database.url);
}, 180_000);
afterAll(async () => {
  await orm?.close();
  await database?.drop();
});

describe('a corrected legacy row (written by the chain triggers) still verifies, as written', () => {
  it('every correctable field of every node type, corrected on a legacy row of its own: verify --full exits 0', async () => {
    const [{ xid }] = (await sql<{ xid: string }>(
      `select recorded_xid::text as xid from audit_events where hash is not null order by seq desc limit 1`,
    )) as [{ xid: string }];
    let count = 0;
    for (const type of NODE_TYPE_NAMES) {
      const used: string[] = [];
      const fields = [...CORRECTABLE_FIELDS.get(type)!.values()];
      expect(fields.length).toBeGreaterThan(0);
      for (const field of fields) {
        // A legacy row that has the field, where there is one; each field a row of its own while there are rows.
        const [row] = await sql<{ id: string }>(
          `select id::text from ${tableOf(type)} t where t.recorded_xid = $1::xid8
            order by t.id = any($2::bigint[]), (t.${field.column} is null), t.id limit 1`,
          [xid, used],
        );
        expect({ type, field: field.name, found: row !== undefined }).toEqual({ type, field: field.name, found: true });
        used.push(row!.id);
        await correct(type, row!.id, [field.name]);
        count++;
      }
      // The first row corrected again, with the second field too: the oldest superseded value is the original.
      await correct(
        type,
        used[0]!,
        fields.slice(0, 2).map((field) => field.name),
      );
    }
    expect(count).toBe([...CORRECTABLE_FIELDS.values()].reduce((sum, fields) => sum + fields.size, 0));
    await integrateAll(database.url);
    const { code, breaks } = await verifyFull();
    const named = breaks.map((found) => ({
      corrected: corrected.get(`${found.table} ${found.recordId}`) ?? null,
      problem: found.problem,
    }));
    expect({ code, breaks: named }).toEqual({ code: 0, breaks: [] });
  }, 180_000);

  it('a corrected row changed behind the trigger is named: a corrected column put back, another column changed', async () => {
    const rows = [...corrected.values()];
    const twice = rows.find((row) => row.type === 'TradeDecision' && row.fields.length > 1)!;
    const once = rows.find((row) => row.type === 'TradeExecution' && row.fields.length === 1)!;
    const [{ superseded }] = (await sql<{ superseded: Record<string, unknown> }>(
      `select superseded from record_corrections where subject_table = 'trade_decisions' and subject_id = $1
        order by id limit 1`,
      [twice.id],
    )) as [{ superseded: Record<string, unknown> }];
    const field = CORRECTABLE_FIELDS.get('TradeDecision')!.get(twice.fields[0]!)!;
    await asSuperuser(database.url, async (client) => {
      // The value it was first written with, back in the row: reads no longer answer the correction.
      await client.query(
        `update trade_decisions t set ${field.column} = s.${field.column}
           from json_populate_record(null::trade_decisions, $1::json) s where t.id = $2`,
        [JSON.stringify({ [field.column]: superseded[field.name] }), twice.id],
      );
      await client.query(`update trade_executions set execution_id = execution_id || '-x' where id = $1`, [once.id]);
    });
    const { code, breaks } = await verifyFull();
    expect(code).toBe(1);
    const named = new Set(breaks.map((found) => `${found.table} ${found.recordId}`));
    expect([...named].sort()).toEqual([`trade_decisions ${twice.id}`, `trade_executions ${once.id}`].sort());
    // Both proofs name each: the legacy chain's hash and the leaf.
    for (const key of named) {
      const problems = breaks
        .filter((found) => `${found.table} ${found.recordId}` === key)
        .map((found) => found.problem);
      expect(problems).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/was changed after it was written \(its hash was recorded by event #\d+\)/),
          expect.stringMatching(/was changed after it was integrated/),
        ]),
      );
    }
  }, 120_000);
});
