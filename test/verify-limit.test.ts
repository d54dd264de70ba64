import fc from 'fast-check';
import type pg from 'pg';
import { verifyChain } from '../src/chain/verify-chain';
import { stringifyExactJson } from '../src/json/exact-json';
import { createOrm, type Orm } from '../src/database/orm';
import { withClient } from './harness/database';
import { createLegacyDatabase, type LegacyDatabase } from './harness/legacy-database';

type Tamper = 'kept' | 'changed' | 'deleted';

const POSITIONS = 8;

/** What a superuser does with the triggers off: the same statements, with the append-only trigger disabled around them. */
async function behindTrigger(client: pg.Client, work: () => Promise<unknown>) {
  // UPDATE is refused by the correction guard, DELETE by the append-only trigger.
  for (const trigger of ['positions_append_only', 'positions_correction_only'])
    await client.query(`alter table positions disable trigger ${trigger}`);
  await work();
  for (const trigger of ['positions_append_only', 'positions_correction_only'])
    await client.query(`alter table positions enable trigger ${trigger}`);
}

/** The transaction id the legacy record's rows carry (the migration's that retired the chain). */
const LEGACY_XID = `(select recorded_xid from audit_events where hash is not null order by seq desc limit 1)`;

/**
 * `verify --limit N` lists at most N breaks, and each one as it truly is: a
 * changed row is two rows in verify's comparison (its recorded hash and its
 * present one), and a limit that cut between them reported it as "gone".
 * The legacy chain's rows: written before the chain triggers were retired;
 * a row smuggled among them carries their transaction id.
 */
describe('verify with a limit', () => {
  let database: LegacyDatabase;
  let orm: Orm;
  let ids: string[];

  beforeAll(async () => {
    database = await createLegacyDatabase({
      statements: [
        `insert into positions (account, symbol, quantity, status, opened_at)
         select 'PA-' || n, 'SYM', n, 'open', now() from generate_series(1, ${POSITIONS}) n`,
      ],
    });
    await database.upgrade();
    orm = await createOrm({ databaseUrl: database.url, poolMax: 2 });
    ids = await withClient(database.url, async (client) => {
      const { rows } = await client.query<{ id: string }>(`select id::text from positions order by id`);
      return rows.map((row) => row.id);
    });
  });
  afterAll(async () => {
    await orm.close();
    await database.drop();
  });

  it(
    'never splits a changed row into "gone": for any limit and any mix of changes, deletions and insertions, ' +
      'every break listed is described as it is',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.constantFrom<Tamper>('kept', 'changed', 'deleted'), {
            minLength: POSITIONS,
            maxLength: POSITIONS,
          }),
          fc.integer({ min: 0, max: 3 }),
          async (tampers, smuggledCount) => {
            const changed = ids.filter((_, index) => tampers[index] === 'changed');
            const deleted = ids.filter((_, index) => tampers[index] === 'deleted');
            const smuggled = await withClient(database.url, async (client) => {
              await client.query('begin');
              const { rows: originals } = await client.query<{ row: object }>(
                'select to_jsonb(p) as row from positions p where id = any($1)',
                [deleted],
              );
              await behindTrigger(client, async () => {
                await client.query('update positions set quantity = quantity + 1 where id = any($1)', [changed]);
                await client.query('delete from positions where id = any($1)', [deleted]);
              });
              const { rows } = await client.query<{ id: string }>(
                `insert into positions (account, symbol, quantity, status, opened_at, recorded_xid)
                  select 'PA-X', 'ZZZ', n, 'open', now(), ${LEGACY_XID} from generate_series(1, $1::int) n
                  returning id::text`,
                [smuggledCount],
              );
              await client.query('commit');
              return { inserted: rows.map((row) => row.id), originals: originals.map((original) => original.row) };
            });
            try {
              const truth = new Map<string, RegExp>([
                ...changed.map(
                  (id) =>
                    [
                      id,
                      /^positions \d+ was changed after it was written \(its hash was recorded by event #\d+\)$/,
                    ] as const,
                ),
                ...deleted.map((id) => [id, /^positions \d+ was written \(event #\d+\) but is gone$/] as const),
                ...smuggled.inserted.map(
                  (id) =>
                    [id, /^positions \d+ is not in the chain: it was written around the record trigger$/] as const,
                ),
              ]);
              for (let limit = 1; limit <= truth.size + 1; limit++) {
                const result = await verifyChain(orm.em.fork(), { limit });
                expect(result.intact).toBe(truth.size === 0);
                expect(result.breaks).toHaveLength(Math.min(limit, truth.size));
                for (const found of result.breaks) {
                  expect({ limit, table: found.table, recordId: found.recordId, problem: found.problem }).toEqual({
                    limit,
                    table: 'positions',
                    recordId: found.recordId,
                    problem: expect.stringMatching(truth.get(found.recordId!) ?? /^not tampered$/),
                  });
                }
              }
            } finally {
              await withClient(database.url, async (client) => {
                await client.query('begin');
                await behindTrigger(client, async () => {
                  await client.query('update positions set quantity = quantity - 1 where id = any($1)', [changed]);
                  await client.query('delete from positions where id = any($1)', [smuggled.inserted]);
                });
                // Put back as they were, their transaction id too.
                await client.query(
                  'insert into positions select * from jsonb_populate_recordset(null::positions, $1)',
                  [stringifyExactJson(smuggled.originals)],
                );
                await client.query('commit');
              });
            }
          },
        ),
        { numRuns: 25 },
      );
      expect((await verifyChain(orm.em.fork())).intact).toBe(true);
    },
  );
});
