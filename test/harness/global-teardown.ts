import { rm } from 'node:fs/promises';
import pg from 'pg';

export default async function globalTeardown(): Promise<void> {
  const adminUrl = process.env.AUDITGRAPH_TEST_ADMIN_URL;
  const template = process.env.AUDITGRAPH_TEST_TEMPLATE;
  if (adminUrl && template && !globalThis.__auditgraphEmbedded) {
    // A shared server outlives the run: leave nothing behind on it.
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`drop database if exists ${template} with (force)`);
    await admin.end();
  }
  const embedded = globalThis.__auditgraphEmbedded;
  if (embedded) {
    await embedded.stop();
    await rm(embedded.dataRoot, { recursive: true, force: true });
  }
}
