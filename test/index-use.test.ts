import pg from 'pg';
import { startTestGateway, type TestGateway } from './harness/gateway';
import { writePlannerRows } from './harness/planner-rows';

const ROWS = 200_000;

/** A document shape shared by the three jsonb columns: common keys, a value with 1,000 variants, a rare key. */
const documentSql = `jsonb_build_object('signal', 'sig_' || (g % 1000), 'score', (g % 1000) / 1000.0,
  'model_version', 'v' || (g % 50),
  'source_record_ids', jsonb_build_array(g, g + 1))
  || case when g % 5000 = 0 then '{"rare_flag": true, "note": "quarantined"}'::jsonb else '{}'::jsonb end`;

const fixtures: Record<string, string> = {
  trade_decisions: `insert into trade_decisions
    (decision_id, strategy, symbol, side, quantity, order_type, status, decision_rationale, created_at)
    select 'd' || g, 'CongressionalTradingStrategy', 'S' || (g % 500), 'buy', 1 + g % 100,
      'market', 'executed', ${documentSql}, now() - g * interval '1 second'
    from generate_series(1, ${ROWS}) g`,
  api_payloads: `insert into api_payloads
    (direction, provider, endpoint, http_method, http_status, payload, payload_bytes, created_at)
    select 'response', 'quiverquant', '/beta/live/congresstrading', 'GET', 200,
      ${documentSql}, 100, now() - g * interval '1 second'
    from generate_series(1, ${ROWS}) g`,
  data_ingestion_runs: `insert into data_ingestion_runs
    (run_id, task_name, source, status, records_fetched, metadata, started_at, created_at)
    select 'r' || g, 'data_fetch:congress_daily', 'quiverquant', 'succeeded', 10,
      ${documentSql}, now() - g * interval '1 second', now() - g * interval '1 second'
    from generate_series(1, ${ROWS}) g`,
  trade_executions: `insert into trade_executions (execution_id, status, filled_quantity, error_message, created_at)
    select 'e' || g, 'rejected', 0,
      case when g % 5000 = 0 then 'order quarantined by risk' else 'insufficient buying power' end,
      now() - g * interval '1 second'
    from generate_series(1, ${ROWS}) g`,
};

const lists = [
  {
    table: 'trade_decisions',
    index: 'trade_decisions_decision_rationale_gin',
    field: 'decisions',
    filter: 'rationale',
  },
  { table: 'api_payloads', index: 'api_payloads_payload_gin', field: 'apiPayloads', filter: 'payload' },
  {
    table: 'data_ingestion_runs',
    index: 'data_ingestion_runs_metadata_gin',
    field: 'ingestionRuns',
    filter: 'metadata',
  },
];

/** Selective conditions (0.02–0.1% of rows), one per operator the API offers. */
const operators: [string, Record<string, unknown>, number][] = [
  ['contains (@>)', { contains: { signal: 'sig_7' } }, 200],
  ['hasKey (?)', { hasKey: 'rare_flag' }, 40],
  ['hasAnyKeys (?|)', { hasAnyKeys: ['rare_flag', 'no_such_key'] }, 40],
  ['hasAllKeys (?&)', { hasAllKeys: ['rare_flag', 'signal'] }, 40],
  ['pathEquals (@>)', { pathEquals: { path: ['signal'], value: 'sig_7' } }, 200],
  ['jsonPath (@@)', { jsonPath: '$.signal == "sig_7"' }, 200],
  ['jsonPathExists (@?)', { jsonPathExists: '$ ? (@.rare_flag == true)' }, 40],
];

describe(
  `JSON filters and full-text search use their GIN indexes on ${ROWS.toLocaleString('en')} ` + `rows (EXPLAIN)`,
  () => {
    let gateway: TestGateway;
    let client: pg.Client;
    const plans: string[] = [];

    beforeAll(async () => {
      gateway = await startTestGateway();
      client = new pg.Client({ connectionString: gateway.database.url });
      await client.connect();
      await writePlannerRows(client, fixtures);
      await client.query('analyze trade_decisions, api_payloads, data_ingestion_runs, trade_executions');
    });
    afterAll(async () => {
      console.log(`EXPLAIN, the index node per JSON operator, search kind and node's own list:\n${plans.join('\n')}`);
      await client.end();
      await gateway.close();
    });

    describe.each(lists)('$field(filter: { $filter })', ({ index, field, filter }) => {
      it.each(operators)('%s', async (name, condition, expectedRows) => {
        const query =
          `query($condition: JsonFilter) { ${field}(first: 100, filter: { ` +
          `${filter}: $condition }) { nodes { id } } }`;
        const { result, sql } = await gateway.countStatements(() => gateway.execute(query, { condition }));
        expect(result.errors).toBeUndefined();
        expect(result.data![field].nodes).toHaveLength(Math.min(expectedRows, 100));

        // The statement the API really sent (the jsonpath check, when present, comes first).
        const listStatement = sql.at(-1)!;
        const { rows } = await client.query(`explain (format json) ${listStatement}`);
        const plan = JSON.stringify(rows[0]['QUERY PLAN']);
        expect(plan).toContain(`"Index Name":"${index}"`);
        expect(plan).not.toContain('"Node Type":"Seq Scan"');
        const { rows: text } = await client.query(`explain ${listStatement}`);
        const indexLine = text.map((row) => row['QUERY PLAN'] as string).find((line) => line.includes(index))!;
        plans.push(`${field} ${name}: ${indexLine.trim()}`);
      });
    });

    it("pages a node's own lists through the foreign-key indexes, never a scan of the child table", async () => {
      const query = `{
      ingestionRuns(first: 10) { nodes { payloads(first: 5) { nodes { id } } } }
      apiPayloads(first: 10) { nodes { decisions(first: 5) { nodes { id } } executions(first: 5) { nodes { id } } } }
      decisions(first: 10) { nodes { inputs(first: 5) { nodes { id } } executions(first: 5) { nodes { id } } } }
    }`;
      const { result, sql, bindings } = await gateway.countStatements(() => gateway.execute(query));
      expect(result.errors).toBeUndefined();
      const childStatements = sql.flatMap((statement, index) =>
        statement.includes('row_number() over (partition by c.parent_id')
          ? [{ statement, values: bindings[index]! }]
          : [],
      );
      // One statement per list root (the lineage prefetch), its own lists as CTEs; an
      // execution's payloads are two (request and response), so five lists read six times.
      expect(childStatements).toHaveLength(3);
      const listsOf = (statement: string) =>
        [...statement.matchAll(/as parent_id\s+from (\w+) \w+(?: join (\w+))?/g)].map((match) =>
          match.slice(1).filter(Boolean).join(' ⋈ '),
        );
      expect(childStatements.flatMap(({ statement }) => listsOf(statement)).sort()).toEqual([
        'api_payloads',
        'decision_inputs ⋈ api_payloads',
        'decision_inputs ⋈ trade_decisions',
        'trade_executions',
        'trade_executions',
        'trade_executions',
      ]);
      for (const { statement, values } of childStatements) {
        // The parents' ids travel as a bound parameter.
        expect(values.length).toBeGreaterThanOrEqual(1);
        const { rows } = await client.query(`explain ${statement}`, values);
        const lines = rows.map((row) => row['QUERY PLAN'] as string).join('\n');
        expect(lines).not.toMatch(/Seq Scan on (api_payloads|trade_decisions|trade_executions|decision_inputs)/);
        expect(lines).toMatch(/Index (Only )?Scan|Bitmap Index Scan/);
        plans.push(
          `own lists over ${listsOf(statement).join(', ')}: ${lines
            .split('\n')
            .filter((line) => /Index/.test(line))
            .map((line) => line.trim().replace(/\s+\(cost.*$/, ''))
            .join('; ')}`,
        );
      }
    });

    it.each([
      ['PAYLOAD', 'api_payloads_search_gin'],
      ['DECISION', 'trade_decisions_search_gin'],
      ['EXECUTION', 'trade_executions_search_gin'],
    ])('search(kinds: [%s]) matches through %s', async (kind, index) => {
      const query =
        `query($kind: SearchKind!) { search(query: "quarantined", kinds: [$kind], first: 100) { edges { node { ` +
        `kind snippet } } } }`;
      const { result, sql } = await gateway.countStatements(() => gateway.execute(query, { kind }));
      expect(result.errors).toBeUndefined();
      expect(result.data!.search.edges).toHaveLength(40);
      expect(result.data!.search.edges[0].node.snippet).toContain('**quarantined**');
      const searchStatement = sql.find((statement) => statement.includes('websearch_to_tsquery'))!;
      const { rows } = await client.query(`explain ${searchStatement}`);
      const lines = rows.map((row) => row['QUERY PLAN'] as string);
      const indexLine = lines.find((line) => line.includes(index));
      expect(indexLine).toMatch(/Bitmap Index Scan/);
      expect(lines.join('\n')).not.toMatch(/Seq Scan on (api_payloads|trade_decisions|trade_executions)/);
      plans.push(`search ${kind}: ${indexLine!.trim()}`);
    });
  },
);
