import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createOrm } from '../src/database/orm';
import { runCli } from './harness/cli';
import { withClient } from './harness/database';
import { withDatabase } from './harness/global-setup';

const MIGRATIONS = path.join(__dirname, '..', 'migrations');
const SNAPSHOT = path.join(MIGRATIONS, '.snapshot.json');

/**
 * migrations/.snapshot.json is the entities' schema as the last generated
 * migration left it: applying migrations (`migrate`, `serve`, the tests) must
 * not rewrite it from the database, and writing a migration when the
 * entities match the migrations must find nothing to write.
 */
describe('migrations/.snapshot.json', () => {
  const name = `auditgraph_snapshot_${randomBytes(4).toString('hex')}`;
  const admin = process.env.AUDITGRAPH_TEST_ADMIN_URL!;
  const env = () => ({
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LOG_LEVEL: 'warn',
    DATABASE_URL: withDatabase(admin, name),
  });

  beforeAll(() => withClient(admin, (client) => client.query(`create database ${name}`)));
  afterAll(() => withClient(admin, (client) => client.query(`drop database if exists ${name} with (force)`)));

  it("is the entities' schema, as migration-create writes it (not the database's, as a migration run would)", async () => {
    const orm = await createOrm({ databaseUrl: env().DATABASE_URL, poolMax: 1 });
    try {
      const entities = JSON.parse(JSON.stringify(orm.getSchemaGenerator().getTargetSchema()));
      expect(JSON.parse(await readFile(SNAPSHOT, 'utf8'))).toEqual(entities);
    } finally {
      await orm.close();
    }
  });

  it('is left as it is by migrate, and migration-create on the migrated database finds no changes', async () => {
    const before = await readFile(SNAPSHOT, 'utf8');
    const files = await readdir(MIGRATIONS);
    const migrated = await runCli(['migrate'], env());
    expect(migrated.stdout).toMatch(/^applied: /);
    expect(migrated.code).toBe(0);
    expect(await readFile(SNAPSHOT, 'utf8')).toBe(before);
    const created = await runCli(['migration-create', 'nothing'], env());
    expect({ code: created.code, stdout: created.stdout.trim() }).toEqual({ code: 0, stdout: 'no changes' });
    expect(await readFile(SNAPSHOT, 'utf8')).toBe(before);
    expect(await readdir(MIGRATIONS)).toEqual(files);
  });
});
