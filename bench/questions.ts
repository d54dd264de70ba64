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
];
