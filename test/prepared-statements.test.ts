import { createOrm, type Orm } from '../src/database/orm';
import { runPrepared } from '../src/sql/prepared-statement';
import { createTestDatabase, type TestDatabase } from './harness/database';

/** Named statements live as long as their connection: their number must not grow with what clients ask. */
describe('prepared statements', () => {
  let database: TestDatabase;
  let orm: Orm;

  beforeAll(async () => {
    database = await createTestDatabase();
    orm = await createOrm({ databaseUrl: database.url, poolMax: 1 });
  });
  afterAll(async () => {
    await orm.close();
    await database.drop();
  });

  it('prepares a text once per connection, with a generic plan', async () => {
    const em = orm.em.fork();
    for (const value of [1, 2, 3, 4, 5, 6, 7]) {
      expect((await runPrepared<{ n: number }>(em, 'select ?::int + 1 as n', [value])).rows).toEqual([
        { n: value + 1 },
      ]);
    }
    const [statement] = await em.getConnection().execute<{ generic_plans: number; custom_plans: number }[]>(
      `select generic_plans::int, custom_plans::int from pg_prepared_statements
          where statement like 'select $1::int + 1%'`,
    );
    expect(statement).toEqual({ generic_plans: 7, custom_plans: 0 });
  });

  it('runs texts past the cap unnamed, so a connection never holds more than 200', async () => {
    const em = orm.em.fork();
    for (let index = 0; index < 260; index++) {
      const { rows } = await runPrepared<{ n: number }>(em, `select ?::int as n, ${index} as shape`, [index]);
      expect(rows[0]!.n).toBe(index);
    }
    const [{ prepared }] = await em
      .getConnection()
      .execute<{ prepared: number }[]>('select count(*)::int as prepared from pg_prepared_statements');
    expect(prepared).toBe(200);
  });
});
