import 'reflect-metadata';
import { Command, Option } from 'commander';
import pg from 'pg';
import { writeBenchmarkSection } from './benchmarks-file';
import { ensureDataset } from './dataset';
import { drawSamples, load } from './load';
import { integrateAll, startGateway } from './systems';
import { WORKLOADS } from './workloads';

/**
 * The capacity model's measurements (docs/scale.md): rows, table and index
 * bytes of every table of a generated dataset whose records are all in the
 * Merkle tree, and what each answered request adds — its query audit entry
 * and that entry's leaf — after a stretch of W1 load through a production
 * gateway. Then the same per day at a stated workload, per year, at seven
 * years, and at a billion payloads: the lineage tables grow with payloads
 * (in the generator's proportions), the query audit log with requests.
 */
const program = new Command('capacity.bench')
  .addOption(new Option('--scale <n>', 'dataset size (1 = 10,000 decisions)').argParser(Number).default(10))
  .addOption(
    new Option('--payloads-per-day <n>', 'the stated workload: API payloads recorded a day')
      .argParser(Number)
      .default(1_000_000),
  )
  .addOption(
    new Option('--requests-per-second <n>', 'the stated workload: GraphQL requests a second, around the clock')
      .argParser(Number)
      .default(100),
  )
  .addOption(
    new Option('--load <s>', 'seconds of W1 load whose audit entries are measured').argParser(Number).default(20),
  )
  .option(
    '--server <url>',
    'PostgreSQL server (its database is ignored)',
    'postgres://postgres@127.0.0.1:5432/postgres',
  )
  .option('--write', 'write the results into BENCHMARKS.md')
  .parse();
const options = program.opts<{
  scale: number;
  payloadsPerDay: number;
  requestsPerSecond: number;
  load: number;
  server: string;
  write?: boolean;
}>();

type Size = { rows: number; tableBytes: number; indexBytes: number };
type Sizes = Map<string, Size>;

/** Lineage, record and tree tables: what grows with the trail. */
const GROWS_WITH_PAYLOADS = [
  'data_ingestion_runs',
  'api_payloads',
  'decision_inputs',
  'trade_decisions',
  'trade_executions',
  'positions',
  'audit_events',
  'current_statuses',
];
const GROWS_WITH_REQUESTS = ['query_audit_log'];
const TREE = ['merkle_leaves', 'merkle_nodes'];

async function sizesOf(url: string): Promise<Sizes> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('analyze');
    const { rows } = await client.query<{ name: string; table_bytes: string; index_bytes: string }>(
      `select c.relname as name, pg_table_size(c.oid)::text as table_bytes, pg_indexes_size(c.oid)::text as index_bytes
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind = 'r'`,
    );
    const sizes: Sizes = new Map();
    for (const row of rows) {
      // Exact counts: reltuples is an estimate, and these are the figures the model multiplies.
      const { rows: counted } = await client.query<{ n: string }>(`select count(*)::text as n from "${row.name}"`);
      sizes.set(row.name, {
        rows: Number(counted[0]!.n),
        tableBytes: Number(row.table_bytes),
        indexBytes: Number(row.index_bytes),
      });
    }
    return sizes;
  } finally {
    await client.end();
  }
}

async function daysCovered(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const { rows } = await client.query<{ days: number }>(
    'select extract(epoch from max(created_at) - min(created_at))::float8 / 86400 as days from api_payloads',
  );
  await client.end();
  return rows[0]!.days;
}

const GB = 1e9;
const TB = 1e12;
const fixed = (value: number, digits = 1) => value.toFixed(digits);
const thousands = (value: number) => Math.round(value).toLocaleString('en-US');

async function main() {
  const url = await ensureDataset(options.server, options.scale);
  console.error('integrating every record into the Merkle tree…');
  await integrateAll(url);
  const before = await sizesOf(url);
  const days = await daysCovered(url);

  console.error(`W1 through a production gateway for ${options.load} s…`);
  const gateway = await startGateway(url, 10);
  let requests: number;
  try {
    const w1 = WORKLOADS.find((workload) => workload.name === 'W1')!;
    const result = await load(gateway, w1, await drawSamples(url), 8, options.load);
    requests = result.requests.total;
  } finally {
    await gateway.stop();
  }
  await integrateAll(url);
  const after = await sizesOf(url);
  const grown = (table: string): Size => {
    const [a, b] = [after.get(table)!, before.get(table)!];
    return { rows: a.rows - b.rows, tableBytes: a.tableBytes - b.tableBytes, indexBytes: a.indexBytes - b.indexBytes };
  };

  const payloads = before.get('api_payloads')!.rows;
  const treeBytesBefore = TREE.reduce(
    (sum, table) => sum + before.get(table)!.tableBytes + before.get(table)!.indexBytes,
    0,
  );
  const leavesBefore = before.get('merkle_leaves')!.rows;
  // Every record is a leaf: the lineage's, and the query audit entries earlier benchmarks left.
  const lineageLeaves = leavesBefore - before.get('query_audit_log')!.rows;
  const treeBytesPerLeaf = treeBytesBefore / leavesBefore;
  const requestsPerDay = options.requestsPerSecond * 86_400;
  const entry = grown('query_audit_log');
  const perEntryBytes = (entry.tableBytes + entry.indexBytes) / entry.rows;

  const lines = [
    `Command: \`npm run bench:capacity -- --scale ${options.scale} --payloads-per-day ${options.payloadsPerDay} ` +
      `--requests-per-second ${options.requestsPerSecond} --load ${options.load}\``,
    '',
    `Dataset: scale ${options.scale}, ${thousands(payloads)} payloads over ${fixed(days)} days; every record ` +
      `integrated (${thousands(leavesBefore)} leaves). Stated workload: ${thousands(options.payloadsPerDay)} payloads a day ` +
      `(the lineage tables in the generator's proportions), ${thousands(options.requestsPerSecond)} requests a second ` +
      `around the clock (${thousands(requestsPerDay)} query audit entries a day). Query audit entries measured over ` +
      `${thousands(entry.rows)} W1 requests (${thousands(requests)} answered): ${fixed(perEntryBytes, 0)} bytes each with ` +
      `their indexes, and one Merkle leaf each (${fixed(treeBytesPerLeaf, 0)} bytes of tree per leaf, leaves and nodes with indexes).`,
    '',
    '| table | rows measured | table MB | index MB | bytes/row (with indexes) | rows a day | GB a day | TB a year | TB at 7 years | at 1B payloads: rows | TB |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  let dayBytes = 0;
  let billionBytes = 0;
  const row = (table: string, measured: Size, rowsPerDay: number, rowsAtBillion: number) => {
    const bytesPerRow = measured.rows ? (measured.tableBytes + measured.indexBytes) / measured.rows : 0;
    dayBytes += rowsPerDay * bytesPerRow;
    billionBytes += rowsAtBillion * bytesPerRow;
    lines.push(
      `| ${table} | ${thousands(measured.rows)} | ${fixed(measured.tableBytes / 1e6)} | ${fixed(measured.indexBytes / 1e6)} ` +
        `| ${fixed(bytesPerRow, 0)} | ${thousands(rowsPerDay)} | ${fixed((rowsPerDay * bytesPerRow) / GB, 2)} ` +
        `| ${fixed((rowsPerDay * bytesPerRow * 365) / TB, 2)} | ${fixed((rowsPerDay * bytesPerRow * 365 * 7) / TB, 1)} ` +
        `| ${thousands(rowsAtBillion)} | ${fixed((rowsAtBillion * bytesPerRow) / TB, 2)} |`,
    );
  };
  for (const table of GROWS_WITH_PAYLOADS) {
    const measured = before.get(table)!;
    const perPayload = measured.rows / payloads;
    row(table, measured, perPayload * options.payloadsPerDay, perPayload * 1e9);
  }
  // The billion-payload column takes the stated request rate for as long as a billion payloads take to arrive.
  const daysToBillion = 1e9 / options.payloadsPerDay;
  for (const table of GROWS_WITH_REQUESTS) row(table, entry, requestsPerDay, requestsPerDay * daysToBillion);
  const leavesPerDay = (lineageLeaves / payloads) * options.payloadsPerDay + requestsPerDay;
  const treeRows = {
    rows: leavesBefore,
    tableBytes: TREE.reduce((sum, table) => sum + before.get(table)!.tableBytes, 0),
    indexBytes: TREE.reduce((sum, table) => sum + before.get(table)!.indexBytes, 0),
  };
  row('merkle tree (leaves + nodes)', treeRows, leavesPerDay, leavesPerDay * daysToBillion);
  lines.push(
    '',
    `In all: ${fixed(dayBytes / GB, 1)} GB a day, ${fixed((dayBytes * 365) / TB, 1)} TB a year, ` +
      `${fixed((dayBytes * 365 * 7) / TB, 1)} TB at seven years before the archive moves bodies out; ` +
      `${fixed(billionBytes / TB, 1)} TB at a billion payloads (${fixed(daysToBillion, 0)} days at the stated rate).`,
  );
  const report = lines.join('\n');
  console.log(report);
  if (options.write)
    writeBenchmarkSection('capacity.bench', 'Capacity: rows and bytes per day: `npm run bench:capacity`', report);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
