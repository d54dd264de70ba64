import { verifyChain } from '../src/chain/verify-chain';
import { createOrm } from '../src/database/orm';
import { createLegacyDatabase, type LegacyDatabase } from './harness/legacy-database';
import { asSuperuser } from './harness/tree-drills';

// The legacy chain's breaks are listed in the chain's order, by number: the
// first break is the earliest event changed, whatever its number of digits.

let database: LegacyDatabase;

beforeAll(async () => {
  database = await createLegacyDatabase({ scale: 0.01 });
  await database.upgrade();
}, 120_000);
afterAll(() => database.drop());

it('events changed at #9, #10 and #100: listed 9, 10, 100, the first break #9, and a limit keeps the earliest', async () => {
  await asSuperuser(database.url, (client) =>
    client.query(`update audit_events set event_data = event_data || '{"tampered": true}' where seq in (9, 10, 100)`),
  );
  const orm = await createOrm({ databaseUrl: database.url, poolMax: 1 });
  try {
    const all = await verifyChain(orm.em.fork());
    expect(all.intact).toBe(false);
    expect(all.breaks.filter((found) => found.kind === 'chain').map((found) => found.seq)).toEqual(['9', '10', '100']);
    expect(all.firstBreak?.seq).toBe('9');
    const two = await verifyChain(orm.em.fork(), { limit: 2 });
    expect(two.breaks.filter((found) => found.kind === 'chain').map((found) => found.seq)).toEqual(['9', '10']);
  } finally {
    await orm.close();
  }
});
