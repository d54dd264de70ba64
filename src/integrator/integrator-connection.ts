import pg from 'pg';

/**
 * A writable session of the integrator's own (the gateway's are read-only and
 * time-limited): no statement timeout, since a batch after a long import may
 * run for minutes; timestamps written in UTC for the instant parser.
 */
export async function openIntegratorConnection(databaseUrl: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'auditgraph integrator' });
  // Never without a listener, even before its owner adds one: a backend cut between the connect and the first
  // statement (the embedded database stopping with the gateway) would otherwise end the process.
  client.on('error', () => undefined);
  await client.connect();
  try {
    // Every statement of a batch is an index lookup or a range of the newest rows. Without statistics (a young
    // table, autovacuum off) the planner takes a sequential scan of a whole table, every batch, as the chain
    // trigger did (Migration20261123174300): off for this session, as it was for that trigger.
    await client.query("set timezone = 'UTC'; set jit = off; set statement_timeout = 0; set enable_seqscan = off");
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
  return client;
}

/** Runs `work` on an integrator connection of its own, and ends it. */
export async function withIntegratorConnection<T>(databaseUrl: string, work: (connection: pg.Client) => Promise<T>) {
  const connection = await openIntegratorConnection(databaseUrl);
  try {
    return await work(connection);
  } finally {
    await connection.end().catch(() => undefined);
  }
}
