import { toGlobalId } from '../src/graphql/global-id';

/** Values drawn from the dataset, so every question has a real answer. */
export type Samples = { symbol: string; strategy: string; last: Date; positionDatabaseId: string };

export type Answer = Record<string, unknown>;

/** The value at a dotted path of an answer (`position.executions.totalCount`). */
export const valueAt = (data: Answer, path: string): unknown =>
  path.split('.').reduce<unknown>((value, key) => (value as Answer | undefined)?.[key], data);

export type Question = {
  /** The filter family, aggregate or capability the question exercises. */
  family: string;
  name: string;
  query: string;
  variables: (samples: Samples) => Record<string, unknown>;
  /** A figure from the answer that shows it is not empty (a count, a number of groups). */
  figure: (data: Answer) => string;
};

const DAY_MS = 86_400_000;
const daysBefore = (last: Date, days: number) => new Date(last.getTime() - days * DAY_MS).toISOString();
const groups = (path: string) => (data: Answer) => `${(valueAt(data, path) as unknown[]).length} groups`;
const counted = (path: string) => (data: Answer) => `${String(valueAt(data, `${path}.totalCount`))} rows`;

/** The investigator questions of issue 18, one or more per family. */
export const QUESTIONS: Question[] = [
  {
    family: 'count',
    name: 'decisions pending now: totalCount',
    query: `query($n: Int) { decisions(first: $n, where: { status: { eq: pending } }) { totalCount } }`,
    variables: () => ({ n: 0 }),
    figure: counted('decisions'),
  },
  {
    family: 'count',
    name: 'every decision: totalCount',
    query: `{ decisions(first: 0) { totalCount } }`,
    variables: () => ({}),
    figure: counted('decisions'),
  },
  {
    family: 'count',
    name: "a position's executions: totalCount",
    query: `query($id: ID!) { position(id: $id) { executions(first: 1) { totalCount } } }`,
    variables: ({ positionDatabaseId }) => ({ id: toGlobalId('Position', positionDatabaseId) }),
    figure: counted('position.executions'),
  },
  {
    family: 'where: scalar',
    name: 'decisions of one symbol (in), page of 20 + totalCount',
    query: `query($s: String!) { decisions(first: 20, where: { symbol: { in: [$s] } }) { totalCount nodes { id } } }`,
    variables: ({ symbol }) => ({ s: symbol }),
    figure: counted('decisions'),
  },
  {
    family: 'where: time',
    name: 'executions of the last 7 days (gte/lt) + totalCount',
    query:
      `query($from: DateTime!, $to: DateTime!) { executions(first: 20, ` +
      `where: { createdAt: { gte: $from, lt: $to } }) { totalCount nodes { id } } }`,
    variables: ({ last }) => ({ from: daysBefore(last, 7), to: daysBefore(last, -1) }),
    figure: counted('executions'),
  },
  {
    family: 'where: text',
    name: "rejections whose error contains 'buying power'",
    query:
      `{ executions(first: 20, where: { status: { eq: rejected }, ` +
      `errorMessage: { contains: "buying power" } }) { totalCount nodes { id } } }`,
    variables: () => ({}),
    figure: counted('executions'),
  },
  {
    family: 'where: combinators',
    name: 'decisions: (symbol or strategy) and not pending',
    query:
      `query($sym: String!, $st: String!) { decisions(first: 20, where: { or: [{ symbol: { eq: $sym } }, ` +
      `{ strategy: { eq: $st } }], not: { status: { eq: pending } } }) { totalCount nodes { id } } }`,
    variables: ({ symbol, strategy }) => ({ sym: symbol, st: strategy }),
    figure: counted('decisions'),
  },
  {
    family: 'where: full text',
    name: "rejections whose error matches 'buying power' (errorText) + totalCount",
    query:
      `{ executions(first: 20, where: { status: { eq: rejected }, ` +
      `errorText: { matches: "buying power" } }) { totalCount nodes { id } } }`,
    variables: () => ({}),
    figure: counted('executions'),
  },
  {
    family: 'where: integrity predicate',
    name: 'executions missing their broker request + totalCount',
    query: `{ executions(first: 20, where: { missingRequestPayload: true }) { totalCount nodes { id } } }`,
    variables: () => ({}),
    figure: counted('executions'),
  },
  {
    family: 'where: integrity predicate',
    name: 'decisions without rationale or with several fills + totalCount',
    query:
      `{ decisions(first: 20, where: { or: [{ emptyRationale: true }, { multipleExecutions: true }] }) ` +
      `{ totalCount nodes { id } } }`,
    variables: () => ({}),
    figure: counted('decisions'),
  },
  {
    family: 'where: integrity predicate',
    name: 'decisions pending over a week (stalePending) + totalCount',
    query: `{ decisions(first: 20, where: { stalePending: { olderThan: "P7D" } }) { totalCount nodes { id } } }`,
    variables: () => ({}),
    figure: counted('decisions'),
  },
  {
    family: 'search: narrowed',
    name: "'buying power' rejections of one symbol in the last 30 days + totalCount",
    query:
      `query($s: String!, $from: DateTime!) { search(query: "buying power", first: 20, where: { execution: { ` +
      `status: { eq: rejected }, createdAt: { gte: $from }, decision: { symbol: { eq: $s } } } }) ` +
      `{ totalCount nodes { kind } } }`,
    variables: ({ symbol, last }) => ({ s: symbol, from: daysBefore(last, 30) }),
    figure: counted('search'),
  },
  {
    family: 'search',
    name: "full-text 'buying power'",
    query: `{ search(query: "buying power", first: 20) { totalCount nodes { kind } } }`,
    variables: () => ({}),
    figure: counted('search'),
  },
  {
    family: 'relation: some',
    name: 'decisions fed by a payload answered ≥ 400 + totalCount',
    query:
      `{ decisions(first: 20, where: { inputs: { some: { httpStatus: { gte: 400 } } } }) ` +
      `{ totalCount nodes { id } } }`,
    variables: () => ({}),
    figure: counted('decisions'),
  },
  {
    family: 'relation: some, two hops',
    name: 'decisions fed by a failed ingestion run + totalCount',
    query:
      `{ decisions(first: 20, where: { inputs: { some: { ingestionRun: { status: { eq: failed } } } } }) ` +
      `{ totalCount nodes { id } } }`,
    variables: () => ({}),
    figure: counted('decisions'),
  },
  {
    family: 'relation: to-one',
    name: "rejected executions of one strategy's decisions + totalCount",
    query:
      `query($s: String!) { executions(first: 20, where: { status: { eq: rejected }, ` +
      `decision: { strategy: { eq: $s } } }) { totalCount nodes { id } } }`,
    variables: ({ strategy }) => ({ s: strategy }),
    figure: counted('executions'),
  },
  {
    family: 'relation: none',
    name: 'decisions of one symbol with no execution + totalCount',
    query:
      `query($s: String!) { decisions(first: 20, where: { symbol: { eq: $s }, executions: { none: {} } }) ` +
      `{ totalCount nodes { id } } }`,
    variables: ({ symbol }) => ({ s: symbol }),
    figure: counted('decisions'),
  },
  {
    family: 'orderBy',
    name: 'decisions of one symbol, oldest first, page of 20',
    query:
      `query($s: String!) { decisions(first: 20, where: { symbol: { eq: $s } }, orderBy: CREATED_AT_ASC) ` +
      `{ nodes { id createdAt } } }`,
    variables: ({ symbol }) => ({ s: symbol }),
    figure: (data) => `${(valueAt(data, 'decisions.nodes') as unknown[]).length} rows`,
  },
  {
    family: 'where: own list',
    name: "a position's filled executions, newest first + totalCount",
    query:
      `query($id: ID!) { position(id: $id) { executions(first: 20, where: { status: { eq: filled } }, ` +
      `orderBy: CREATED_AT_DESC) { totalCount nodes { id } } } }`,
    variables: ({ positionDatabaseId }) => ({ id: toGlobalId('Position', positionDatabaseId) }),
    figure: counted('position.executions'),
  },
  {
    family: 'aggregate',
    name: 'rejections per strategy per New York day',
    query:
      `{ executionsAggregate(where: { status: { eq: rejected } }, groupBy: [STRATEGY, DAY], ` +
      `timeZone: "America/New_York") { keys { strategy day } count } }`,
    variables: () => ({}),
    figure: groups('executionsAggregate'),
  },
  {
    family: 'aggregate',
    name: 'decisions per strategy and symbol: quantity and notional',
    query:
      `{ decisionsAggregate(groupBy: [STRATEGY, SYMBOL]) { keys { strategy symbol } count ` +
      `quantity { sum avg } notional { sum max } } }`,
    variables: () => ({}),
    figure: groups('decisionsAggregate'),
  },
  {
    family: 'aggregate',
    name: 'payloads per provider and HTTP status: latency',
    query:
      `{ apiPayloadsAggregate(groupBy: [PROVIDER, HTTP_STATUS]) { keys { provider httpStatus } count ` +
      `latency { avg max } } }`,
    variables: () => ({}),
    figure: groups('apiPayloadsAggregate'),
  },
  {
    family: 'aggregate',
    name: 'audit events per log type, event and month',
    query: `{ auditEventsAggregate(groupBy: [LOG_TYPE, EVENT, MONTH]) { keys { logType event month } count } }`,
    variables: () => ({}),
    figure: groups('auditEventsAggregate'),
  },
  {
    family: 'time travel',
    name: 'positions as of a week before the last decision, page of 20',
    query: `query($t: DateTime!) { positions(first: 20, asOf: $t) { nodes { quantity avgCost status } } }`,
    variables: ({ last }) => ({ t: daysBefore(last, 7) }),
    figure: (data) => `${(valueAt(data, 'positions.nodes') as unknown[]).length} rows`,
  },
  {
    family: 'time travel',
    name: "20 decisions' status a day before the last one",
    query: `query($t: DateTime!) { decisions(first: 20) { nodes { status statusAsOf(at: $t) } } }`,
    variables: ({ last }) => ({ t: daysBefore(last, 1) }),
    figure: (data) => `${(valueAt(data, 'decisions.nodes') as unknown[]).length} rows`,
  },
  {
    family: 'execution quality',
    name: 'latency and slippage per strategy and symbol, last 30 days',
    query:
      `query($from: String!, $to: String!) { executionQuality(from: $from, to: $to) ` +
      `{ strategy symbol fills slippageBps decisionLatency { p50 p95 } } }`,
    variables: ({ last }) => ({ from: daysBefore(last, 30).slice(0, 10), to: last.toISOString().slice(0, 10) }),
    figure: (data) => `${(valueAt(data, 'executionQuality') as unknown[]).length} groups`,
  },
];
