import pg from 'pg';

/**
 * A writable session of the integrator's own (the gateway's are read-only and
 * time-limited): no statement timeout, since a batch after a long import may
 * run for minutes; timestamps written in UTC for the instant parser.
 */
export async function openIntegratorConnection(databaseUrl: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'auditgraph integrator' });
  await client.connect();
  try {
    await client.query("set timezone = 'UTC'; set jit = off; set statement_timeout = 0");
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
