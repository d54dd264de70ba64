import fc from 'fast-check';
import pg from 'pg';
import {
  checkpointAt,
  checkpointsAfter,
  checkpointsPage,
  newestCheckpoint,
  type StoredCheckpoint,
} from '../src/proof/checkpoint-reads';
import { createTestDatabase, type TestDatabase } from './harness/database';

// The checkpoint readers order by tree size as a number: sizes of every digit
// count (a size's text sorts 60 after 264), each case in a transaction rolled
// back, so merkle_checkpoints (append-only) starts empty every time.

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

/** Tree sizes of 1 to 8 digits, unique, in the order they were signed (growing: a tree only grows). */
const sizes = fc
  .uniqueArray(
    fc.integer({ min: 1, max: 8 }).chain((digits) => fc.integer({ min: 10 ** (digits - 1), max: 10 ** digits - 1 })),
    { minLength: 1, maxLength: 12 },
  )
  .map((drawn) => [...drawn].sort((a, b) => a - b));

const sizesOf = (checkpoints: readonly StoredCheckpoint[]) => checkpoints.map((checkpoint) => checkpoint.treeSize);

describe('checkpoint reads order by tree size, whatever its number of digits', () => {
  it('newest, pages newest first, a witness catching up oldest first, the checkpoint of a time', async () => {
    await fc.assert(
      fc.asyncProperty(sizes, fc.nat(), fc.integer({ min: 1, max: 5 }), async (signed, pick, first) => {
        await client.query('begin');
        try {
          // One instant for all: checkpointAt breaks the tie by size.
          await client.query(
            `insert into merkle_checkpoints (tree_size, root, signed_at, key_name, note)
             select s, '\\x00'::bytea, '2026-12-01T12:00:00Z', 'test', 'note ' || s from unnest($1::bigint[]) s`,
            [signed],
          );
          const newestFirst = [...signed].reverse();
          expect((await newestCheckpoint(client))?.treeSize).toBe(newestFirst[0]);
          expect((await checkpointAt(client, '2026-12-01T12:00:00.000000Z'))?.treeSize).toBe(newestFirst[0]);
          expect(sizesOf(await checkpointsPage(client, first, null))).toEqual(newestFirst.slice(0, first));
          const before = signed[pick % signed.length]!;
          expect(sizesOf(await checkpointsPage(client, first, before))).toEqual(
            newestFirst.filter((size) => size < before).slice(0, first),
          );
          expect(sizesOf(await checkpointsAfter(client, before, first))).toEqual(
            signed.filter((size) => size > before).slice(0, first),
          );
        } finally {
          await client.query('rollback');
        }
      }),
      { numRuns: 50 },
    );
  });
});
