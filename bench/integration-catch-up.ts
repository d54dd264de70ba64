import { spawn } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';
import { peakRssMiB } from './systems';

// Catch-up: the whole dataset integrated from an empty tree by `auditgraph integrate`.

const cli = path.join(__dirname, '..', 'src', 'cli.js');

async function withClient<T>(databaseUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Takes the benchmark database's tree back to empty, as the migration left it
 * (size 0, the snapshot `1:1:` before every transaction), so that the next
 * integration takes every record again. Only here: the append-only triggers
 * are suspended for it, in its one transaction, on this database of the
 * benchmark's own — no checkpoint outlives the tree it signed.
 */
export function emptyTree(databaseUrl: string): Promise<void> {
  const tables = ['merkle_leaves', 'merkle_nodes', 'merkle_checkpoints'];
  return withClient(databaseUrl, async (client) => {
    await client.query('begin');
    try {
      for (const table of tables) await client.query(`alter table ${table} disable trigger user`);
      await client.query(`truncate ${tables.join(', ')}`);
      for (const table of tables) await client.query(`alter table ${table} enable trigger user`);
      await client.query(
        `update merkle_integration set tree_size = 0, root = sha256(''::bytea), snapshot = '1:1:', integrated_at = now()`,
      );
      await client.query('commit');
    } catch (error) {
      await client.query('rollback');
      throw error;
    }
  });
}

/**
 * Statistics for the tables a benchmark grew: the machine's PostgreSQL runs
 * with autovacuum off, and without them the integrator's candidate scan of
 * a grown query_audit_log is planned as a sequential scan of all of it.
 */
export const analyzeGrown = (databaseUrl: string): Promise<void> =>
  withClient(databaseUrl, async (client) => {
    await client.query('analyze merkle_leaves, merkle_nodes, query_audit_log, api_payloads');
  });

export type CatchUp = {
  leaves: number;
  batches: number;
  seconds: number;
  leavesPerSecond: number;
  root: string;
  /** Of the integrate process, sampled every 200 ms (VmHWM), so at most that much late. */
  peakRssMiB: number | undefined;
  bySource: { source: string; leaves: number }[];
  leavesBytes: number;
  nodesBytes: number;
  nodes: number;
};

/** `auditgraph integrate --format json` over the database, then what the tree holds and its size on disk. */
export async function catchUp(databaseUrl: string): Promise<CatchUp> {
  const child = spawn(process.execPath, [cli, 'integrate', '--format', 'json'], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  let peak: number | undefined;
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const sampler = setInterval(() => (peak = peakRssMiB(child) ?? peak), 200);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  clearInterval(sampler);
  if (code !== 0) throw new Error(`auditgraph integrate exited with ${code}: ${stdout}`);
  const summary = JSON.parse(stdout) as { leaves: number; batches: number; seconds: number; root: string };

  return withClient(databaseUrl, async (client) => {
    const { rows: bySource } = await client.query<{ source: string; leaves: number }>(
      'select source, count(*)::int as leaves from merkle_leaves group by source order by min(leaf_index)',
    );
    const { rows } = await client.query<{ leaves: string; nodes: string; count: string }>(
      `select pg_total_relation_size('merkle_leaves')::text as leaves,
              pg_total_relation_size('merkle_nodes')::text as nodes,
              (select count(*) from merkle_nodes)::text as count`,
    );
    return {
      ...summary,
      leavesPerSecond: summary.leaves / summary.seconds,
      peakRssMiB: peak,
      bySource,
      leavesBytes: Number(rows[0]!.leaves),
      nodesBytes: Number(rows[0]!.nodes),
      nodes: Number(rows[0]!.count),
    };
  });
}
