/**
 * Issue 15 item 3 (read path): every stored value comes back through
 * GraphQL exactly — timestamps to the microsecond, numeric digits as stored,
 * jsonb numbers with their stored digits — over real HTTP, through the
 * read-ahead (a position with its lineage in one query) and through the
 * plain loaders. Values are written with SQL and compared with PostgreSQL's
 * own text of them; the expected instants are computed here, not by the
 * gateway's parser.
 */
import fc from 'fast-check';
import { parse } from 'lossless-json';
import { Role } from '../src/auth/roles';
import { toGlobalId } from '../src/graphql/global-id';
import { type HttpTestGateway, startHttpTestGateway } from './harness/http-gateway';

const FIRST_MS = Date.parse('0001-01-01T00:00:00Z');
const END_MS = Date.parse('9999-12-31T23:59:59.999Z');
const LAST = '9999-12-31T23:59:59.999999Z';
const pad = (value: number, width: number) => String(Math.abs(value)).padStart(width, '0');

/** An instant as a client could write it (any offset, 0–6 fractional digits) and as an answer must carry it. */
type Written = { input: string; expected: string };
const instants: fc.Arbitrary<Written> = fc
  .record({
    ms: fc.oneof(
      fc.integer({ min: FIRST_MS, max: END_MS }),
      fc.constantFrom(
        FIRST_MS,
        END_MS,
        0,
        -1,
        Date.parse('2024-02-29T23:59:59.999Z'),
        Date.parse('1969-12-31T23:59:59.999Z'),
      ),
    ),
    micros: fc.integer({ min: 0, max: 999 }),
    // PostgreSQL reads offsets up to ±15:59 (RFC 3339 allows ±23:59; the gateway takes those, see date-range.test).
    offsetMinutes: fc.integer({ min: -(15 * 60 + 59), max: 15 * 60 + 59 }),
    digits: fc.integer({ min: 0, max: 6 }),
  })
  .map(({ ms, micros, offsetMinutes, digits }) => {
    // The sub-second part as `digits` digits can write it.
    const subsecond = (((ms % 1000) + 1000) % 1000) * 1000 + micros;
    const kept = subsecond - (subsecond % 10 ** (6 - digits));
    const second = ms - (((ms % 1000) + 1000) % 1000);
    const expected = `${new Date(second).toISOString().slice(0, 20)}${pad(kept, 6)}Z`;
    // The local spelling must itself have a four-digit year; past the ends, write it in UTC.
    const local = second + offsetMinutes * 60_000;
    const offset = local >= FIRST_MS && local <= END_MS ? offsetMinutes : 0;
    const wall = new Date(second + offset * 60_000).toISOString().slice(0, 19);
    const fraction = digits > 0 ? `.${pad(kept, 6).slice(0, digits)}` : '';
    const zone =
      offset === 0
        ? 'Z'
        : `${offset < 0 ? '-' : '+'}${pad(Math.trunc(Math.abs(offset) / 60), 2)}:${pad(Math.abs(offset) % 60, 2)}`;
    return { input: `${wall}${fraction}${zone}`, expected };
  });

/** A canonical instant moved by `delta` microseconds (for the filter bounds). */
function micro(text: string, delta: number): string {
  const ms = Date.parse(text.slice(0, 23) + 'Z');
  const total = Number(text.slice(23, 26)) + delta;
  return (
    `${new Date(ms + Math.floor(total / 1000)).toISOString().slice(0, 23)}` +
    `${pad(((total % 1000) + 1000) % 1000, 3)}Z`
  );
}

/** numeric(20,8) text: up to 12 integer and 8 fractional digits. */
const decimals = fc
  .tuple(fc.boolean(), fc.bigInt({ min: 0n, max: 999_999_999_999n }), fc.integer({ min: 0, max: 99_999_999 }))
  .map(([negative, whole, fraction]) => `${negative ? '-' : ''}${whole}.${pad(fraction, 8)}`);
/** For columns that must be positive (decision quantity, limit price). */
const positive = (decimal: string) => (/^-?0\.0+$/.test(decimal) ? '0.00000001' : decimal.replace('-', ''));

/**
 * A JSON number's text that a double cannot hold (or can): huge integers, long fractions,
 * exponents, trailing zeros.
 */
const jsonNumbers = fc.oneof(
  fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String),
  fc
    .tuple(fc.bigInt({ min: 0n, max: 10n ** 20n }), fc.stringMatching(/^\d{1,34}$/))
    .map(([whole, digits]) => `${whole}.${digits}`),
  fc.constantFrom(
    '12345678901234567890',
    '0.1000000000000000055511151231257827',
    '9007199254740993',
    '1e400',
    '-1.5E-30',
    '10.50',
    '0',
    '0.83',
  ),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((value) => JSON.stringify(value)),
);
type Json = string | { [key: string]: Json } | Json[];
const jsonBodies: fc.Arbitrary<string> = fc
  .letrec<{ node: Json }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'small' },
      jsonNumbers.map((text) => ({ number: text }) as unknown as Json),
      fc.array(tie('node'), { maxLength: 3 }),
      fc.dictionary(fc.stringMatching(/^[a-z]{1,6}$/), tie('node'), { maxKeys: 3 }),
    ),
  }))
  .node.map((node) => `{"body": ${jsonText(node)}}`);
function jsonText(node: Json): string {
  if (Array.isArray(node)) return `[${node.map(jsonText).join(', ')}]`;
  if (typeof node === 'object' && 'number' in node && typeof node.number === 'string') return node.number;
  return `{${Object.entries(node)
    .map(([key, value]) => `${JSON.stringify(key)}: ${jsonText(value)}`)
    .join(', ')}}`;
}

/** JSON with every number kept as its text, to compare digits. */
const digitsOf = (text: string) => parse(text, null, (digits) => `#${digits}`);

const LINEAGE = `query ($id: ID!) { position(id: $id) { openedAt closedAt executions { nodes {
  fillPrice commission filledQuantity submittedAt filledAt createdAt
  requestPayload { payload createdAt payloadBytes }
  decision { quantity limitPrice createdAt decisionRationale
    inputs { nodes { payload createdAt
    ingestionRun { startedAt finishedAt createdAt metadata recordsFetched } } } }
} } } }`;
const LOOKUPS = `query ($execution: ID!, $decision: ID!, $payload: ID!, $run: ID!) {
  execution(id: $execution) { fillPrice commission filledQuantity submittedAt filledAt createdAt }
  decision(id: $decision) { quantity limitPrice createdAt decisionRationale }
  apiPayload(id: $payload) { payload createdAt }
  ingestionRun(id: $run) { startedAt finishedAt createdAt metadata }
}`;

describe('exact values: what PostgreSQL stores comes back through GraphQL digit for digit', () => {
  let gateway: HttpTestGateway;
  let secret: string;
  let sequence = 0;

  beforeAll(async () => {
    gateway = await startHttpTestGateway();
    secret = await gateway.keyFor(Role.investigator);
  });
  afterAll(() => gateway.close());

  const sql = <T = Record<string, string>>(text: string, values: unknown[] = []) =>
    gateway.writer.em.getConnection().execute<T[]>(text, values);

  async function post(query: string, variables: Record<string, unknown>) {
    const answer = await gateway.post({ query, variables }, { secret });
    expect(answer.status).toBe(200);
    const body = digitsOf(answer.text) as { data: any; errors?: unknown };
    expect(body.errors).toBeUndefined();
    return body.data;
  }

  it('returns timestamps, decimals and JSON numbers exactly through the read-ahead and the loaders', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(instants, { minLength: 9, maxLength: 9 }),
        fc.array(decimals, { minLength: 5, maxLength: 5 }),
        fc.array(jsonBodies, { minLength: 3, maxLength: 3 }),
        async (times, numbers, bodies) => {
          const n = ++sequence;
          const [run] = await sql(
            `insert into data_ingestion_runs
              (run_id, task_name, source, status, records_fetched, metadata, started_at, finished_at, created_at)
          values (?, 'data_fetch:x', 'quiverquant', 'succeeded', 2147483647, ?::jsonb, ?, ?, ?) returning id`,
            [`run-${n}`, bodies[0], times[0]!.input, times[1]!.input, times[2]!.input],
          );
          const [input] = await sql(
            `insert into api_payloads
              (ingestion_run_id, direction, provider, endpoint, http_method, payload, payload_bytes, created_at)
          values (?, 'response', 'quiverquant', '/x', 'GET', ?::jsonb, 2147483647, ?) returning id`,
            [run!.id, bodies[1], times[3]!.input],
          );
          const [request] = await sql(
            `insert into api_payloads (direction, provider, endpoint, http_method, payload, payload_bytes, created_at)
          values ('request', 'alpaca', '/v2/orders', 'POST', ?::jsonb, 1, ?) returning id`,
            [bodies[2], times[4]!.input],
          );
          const [decision] = await sql(
            `insert into trade_decisions
              (decision_id, strategy, symbol, side, quantity, order_type, limit_price,
              status, decision_rationale, created_at)
          values (?, 's', 'NVDA', 'buy', ?, 'limit', ?, 'executed', ?::jsonb, ?) returning id`,
            [`dec-${n}`, positive(numbers[0]!), positive(numbers[1]!), bodies[0], times[5]!.input],
          );
          await sql('insert into decision_inputs (trade_decision_id, api_payload_id) values (?, ?)', [
            decision!.id,
            input!.id,
          ]);
          const [position] = await sql(
            `insert into positions (account, symbol, quantity, status, opened_at, closed_at)
              values ('PA', 'NVDA', 0, 'open', ?, ?) returning id`,
            [times[6]!.input, times[7]!.input],
          );
          const [execution] = await sql(
            `insert into trade_executions
              (execution_id, trade_decision_id, position_id, status, filled_quantity, fill_price,
              commission, api_request_payload_id, submitted_at, filled_at, created_at)
          values (?, ?, ?, 'filled', ?, ?, ?, ?, ?, ?, ?) returning id`,
            [
              `exe-${n}`,
              decision!.id,
              position!.id,
              numbers[2]!.replace('-', ''),
              numbers[3],
              numbers[4],
              request!.id,
              times[8]!.input,
              times[0]!.input,
              times[1]!.input,
            ],
          );
          const [stored] = await sql(
            `select d.quantity::text as quantity, d.limit_price::text as limit_price,
                   e.filled_quantity::text as filled, e.fill_price::text as price,
            e.commission::text as commission, d.decision_rationale::text as rationale,
            p.payload::text as input, q.payload::text as request, r.metadata::text as metadata
            from trade_decisions d, trade_executions e, api_payloads p, api_payloads q, data_ingestion_runs r
             where d.id = ? and e.id = ? and p.id = ? and q.id = ? and r.id = ?`,
            [decision!.id, execution!.id, input!.id, request!.id, run!.id],
          );
          const [event] = await sql(
            `insert into audit_events (log_type, event, event_data, actor, occurred_at)
              values ('SYSTEM', 'exact_check', ?::jsonb, 'test', ?)
              returning seq::text as seq, event_data::text as data`,
            [bodies[1], times[2]!.input],
          );
          const json = (text: string) => digitsOf(text);
          const t = times.map((time) => time.expected);

          const walked = (await post(LINEAGE, { id: toGlobalId('Position', position!.id) })).position;
          expect([walked.openedAt, walked.closedAt]).toEqual([t[6], t[7]]);
          const walkedExecution = walked.executions.nodes[0];
          expect(walkedExecution).toMatchObject({
            fillPrice: stored!.price,
            commission: stored!.commission,
            filledQuantity: stored!.filled,
            submittedAt: t[8],
            filledAt: t[0],
            createdAt: t[1],
          });
          expect(walkedExecution.requestPayload).toEqual({
            payload: json(stored!.request),
            createdAt: t[4],
            payloadBytes: '#1',
          });
          expect(walkedExecution.decision).toMatchObject({
            quantity: stored!.quantity,
            limitPrice: stored!.limit_price,
            createdAt: t[5],
            decisionRationale: json(stored!.rationale),
          });
          expect(walkedExecution.decision.inputs.nodes[0]).toEqual({
            payload: json(stored!.input),
            createdAt: t[3],
            ingestionRun: {
              startedAt: t[0],
              finishedAt: t[1],
              createdAt: t[2],
              metadata: json(stored!.metadata),
              recordsFetched: '#2147483647',
            },
          });

          const looked = await post(LOOKUPS, {
            execution: toGlobalId('TradeExecution', execution!.id),
            decision: toGlobalId('TradeDecision', decision!.id),
            payload: toGlobalId('ApiPayload', input!.id),
            run: toGlobalId('IngestionRun', run!.id),
          });
          expect(looked.execution).toEqual({
            fillPrice: stored!.price,
            commission: stored!.commission,
            filledQuantity: stored!.filled,
            submittedAt: t[8],
            filledAt: t[0],
            createdAt: t[1],
          });
          expect(looked.decision).toEqual({
            quantity: stored!.quantity,
            limitPrice: stored!.limit_price,
            createdAt: t[5],
            decisionRationale: json(stored!.rationale),
          });
          expect(looked.apiPayload).toEqual({ payload: json(stored!.input), createdAt: t[3] });
          expect(looked.ingestionRun).toEqual({
            startedAt: t[0],
            finishedAt: t[1],
            createdAt: t[2],
            metadata: json(stored!.metadata),
          });

          // Audit events: the bigint seq, a µs occurredAt and a jsonb body, through their
          // connection and its DateTime filter.
          const events =
            `query ($from: DateTime!, $to: DateTime!) { auditEvents(first: 100, filter: { ` +
            `occurredFrom: $from, occurredTo: $to, event: "exact_check" }) { nodes { seq occurredAt eventData } } }`;
          const eventNodes = (await post(events, { from: t[2], to: t[2]! < LAST ? micro(t[2]!, 1) : LAST })).auditEvents
            .nodes as { seq: string }[];
          if (t[2]! < LAST)
            expect(eventNodes.find((node) => node.seq === event!.seq)).toEqual({
              seq: event!.seq,
              occurredAt: t[2],
              eventData: json(event!.data),
            });

          // A DateTime argument reaches SQL exactly: one microsecond after the decision excludes
          // it, the instant itself includes it.
          const filter =
            `query ($from: DateTime!, $to: DateTime!) { decisions(filter: { ` +
            `createdFrom: $from, createdTo: $to, strategy: "s" }) { nodes { ` +
            `decisionId createdAt quantity decisionRationale } } }`;
          const listed = async (from: string, to: string) =>
            (await post(filter, { from, to })).decisions.nodes as {
              decisionId: string;
              createdAt: string;
              quantity: string;
              decisionRationale: unknown;
            }[];
          const ids = async (from: string, to: string) => (await listed(from, to)).map((node) => node.decisionId);
          if (t[5]! < LAST) {
            // A connection page (find-page's read models) carries the same exact values.
            expect((await listed(t[5]!, micro(t[5]!, 1))).find((node) => node.decisionId === `dec-${n}`)).toEqual({
              decisionId: `dec-${n}`,
              createdAt: t[5],
              quantity: stored!.quantity,
              decisionRationale: json(stored!.rationale),
            });
            if (t[5]! < '9999-12-31T23:59:59.999998Z')
              expect(await ids(micro(t[5]!, 1), micro(t[5]!, 2))).not.toContain(`dec-${n}`);
          }
        },
      ),
      { numRuns: 25 },
    );
  }, 120_000);
});
