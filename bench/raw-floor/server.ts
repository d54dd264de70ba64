import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';

/**
 * The raw-SQL floor: one hand-written statement per workload, its JSON built
 * by PostgreSQL (json_build_object / json_agg), behind a bare node:http server
 * with a pg pool — no GraphQL, no ORM, no auth, no audit. What a request costs
 * when nothing but the data is done. `GET /w1?id=…` etc.; prints its URL.
 */
const STATEMENTS: Record<string, string> = {
  // W1: a position's provenance, all six levels (as the README's query).
  w1: `
    select json_build_object('id', p.id, 'account', p.account, 'symbol', p.symbol, 'quantity', p.quantity,
                             'status', p.status,
      'executions', coalesce((
        select json_agg(json_build_object(
          'executionId', e.execution_id, 'status', e.status, 'filledQuantity', e.filled_quantity,
          'fillPrice', e.fill_price,
          'requestPayload', (select json_build_object('id', q.id, 'endpoint', q.endpoint, 'payload', q.payload)
                               from api_payloads q where q.id = e.api_request_payload_id),
          'responsePayload', (select json_build_object('id', r.id, 'httpStatus', r.http_status, 'payload', r.payload)
                                from api_payloads r where r.id = e.api_response_payload_id),
          'decision', (select json_build_object('decisionId', d.decision_id, 'strategy', d.strategy, 'side', d.side,
                         'quantity', d.quantity, 'status', d.status, 'decisionRationale', d.decision_rationale,
                         'inputs', coalesce((
                           select json_agg(json_build_object('id', a.id, 'provider', a.provider, 'endpoint', a.endpoint,
                             'payload', a.payload,
                             'ingestionRun', (select json_build_object('runId', g.run_id, 'taskName', g.task_name,
                                                'source', g.source, 'status', g.status, 'startedAt', g.started_at)
                                                from data_ingestion_runs g where g.id = a.ingestion_run_id))
                             order by a.created_at, a.id)
                             from decision_inputs i join api_payloads a on a.id = i.api_payload_id
                            where i.trade_decision_id = d.id), '[]'))
                       from trade_decisions d where d.id = e.trade_decision_id)
        ) order by e.created_at, e.id) from trade_executions e where e.position_id = p.id), '[]')) as body
    from positions p where p.id = $1`,
  // W2: 50 decisions whose rationale contains a JSON value, with their executions and response statuses.
  w2: `
    select coalesce(json_agg(json_build_object('decisionId', d.decision_id, 'symbol', d.symbol, 'status', d.status,
      'executions', coalesce((select json_agg(json_build_object('executionId', e.execution_id, 'status', e.status,
                     'responsePayload', (select json_build_object('httpStatus', r.http_status)
                                           from api_payloads r where r.id = e.api_response_payload_id))
                                              order by e.created_at, e.id)
                   from trade_executions e where e.trade_decision_id = d.id), '[]'))
             order by d.created_at desc, d.id desc), '[]') as body
    from (select * from trade_decisions where decision_rationale @> $1::jsonb
           order by created_at desc, id desc limit 50) d`,
  // W3: everything an ingestion run influenced, four hops downstream, as nodes and edges.
  w3: `
    with payloads as (select id from api_payloads where ingestion_run_id = $1),
         decisions as (select distinct i.trade_decision_id as id
                         from decision_inputs i join payloads p on p.id = i.api_payload_id),
         executions as (select e.id, e.trade_decision_id, e.position_id, e.api_request_payload_id,
                               e.api_response_payload_id
                          from trade_executions e join decisions d on d.id = e.trade_decision_id),
         edges as (
           select 'FETCHED' as kind, $1::bigint as from_id, p.id as to_id from payloads p
           union all select 'FED', i.api_payload_id, i.trade_decision_id
                       from decision_inputs i join payloads p on p.id = i.api_payload_id
           union all select 'EXECUTED_AS', e.trade_decision_id, e.id from executions e
           union all select 'REQUESTED', e.id, e.api_request_payload_id
                       from executions e where e.api_request_payload_id is not null
           union all select 'RESPONDED', e.id, e.api_response_payload_id
                       from executions e where e.api_response_payload_id is not null
           union all select 'BUILT', e.id, e.position_id from executions e where e.position_id is not null)
    select json_build_object('nodeCount', 1 + (select count(*) from payloads) + (select count(*) from decisions)
                               + (select count(*) from executions)
                               + (select count(distinct position_id) from executions),
                             'edges', coalesce((select json_agg(json_build_object('kind', kind, 'from', from_id,
                                                                                  'to', to_id))
                                                  from edges), '[]')) as body`,
  // W4: one execution by its external id.
  w4: `
    select json_build_object('executionId', e.execution_id, 'status', e.status, 'filledQuantity', e.filled_quantity,
                             'fillPrice', e.fill_price) as body
    from trade_executions e where e.execution_id = $1`,
};

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.POOL_MAX ?? 10) });

const server = http.createServer((request, response) => {
  const url = new URL(request.url ?? '/', 'http://floor');
  const sql = STATEMENTS[url.pathname.slice(1)];
  const id = url.searchParams.get('id');
  if (!sql || id === null) {
    response.writeHead(404).end();
    return;
  }
  pool.query<{ body: unknown }>(sql, [id]).then(
    ({ rows }) => {
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ data: rows[0]?.body ?? null }));
    },
    (error: Error) => {
      response.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: error.message }));
    },
  );
});

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(`raw floor serving at http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
process.on('SIGTERM', () => server.close(() => void pool.end().then(() => process.exit(0))));
