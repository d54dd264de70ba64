import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { withDatabase } from './global-setup';

export type TestDatabase = { url: string; drop(): Promise<void> };

/** Runs `work` on a connection of its own to `url`, as any client (psql, a script) would, and closes it. */
export async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const asAdmin = <T>(work: (client: pg.Client) => Promise<T>) =>
  withClient(process.env.AUDITGRAPH_TEST_ADMIN_URL!, work);

/** A fresh, migrated, empty database of this test file's own, cloned from the run's template. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const template = process.env.AUDITGRAPH_TEST_TEMPLATE;
  if (!template) throw new Error('test/harness/global-setup.ts did not run');
  const name = `auditgraph_test_${randomBytes(5).toString('hex')}`;
  await asAdmin(async (client) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await client.query(`create database ${name} template ${template}`);
        return;
      } catch (error) {
        // Two files cloning the template at the same instant can collide; retry briefly.
        if (attempt >= 20 || !String(error).includes('is being accessed by other users')) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
  });
  return {
    url: withDatabase(process.env.AUDITGRAPH_TEST_ADMIN_URL!, name),
    drop: () => asAdmin((client) => client.query(`drop database if exists ${name} with (force)`).then(() => undefined)),
  };
}
