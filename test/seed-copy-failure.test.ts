import pg from 'pg';
import { CopySink } from '../src/seed/copy-sink';
import { createTestDatabase, type TestDatabase } from './harness/database';

/**
 * A failure of the seed's own while a table's COPY is open (a row it refuses,
 * an error in the generator) must end that COPY, so the transaction rolls
 * back and the seed fails with the error instead of waiting forever behind it.
 */
describe('a seed that fails mid-COPY', () => {
  let database: TestDatabase;
  let client: pg.Client;
  beforeAll(async () => {
    database = await createTestDatabase();
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
  });
  afterAll(async () => {
    await client.end();
    await database.drop();
  });

  it('rolls back, writes nothing, and leaves the connection usable', async () => {
    await client.query('begin');
    const sink = new CopySink(client, 'positions');
    const refused = (() => {
      try {
        sink.add({ id: '1' });
        return null;
      } catch (error) {
        return error as Error;
      }
    })();
    expect(refused?.message).toMatch(/^a positions row must give exactly /);
    await sink.abort(refused!);
    await client.query('rollback');
    const { rows } = await client.query<{ count: string }>('select count(*) from positions');
    expect(rows).toEqual([{ count: '0' }]);
  });
});
