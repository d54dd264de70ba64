import fc from 'fast-check';
import pg from 'pg';
import { compareInstants, parseDateTime } from '../src/time/instant';
import { dateTimes } from './harness/edge-dates';
import { appendStatusChange } from './harness/fixtures';
import { startTestGateway, type TestGateway } from './harness/gateway';

// Texts where `%`, `_` and `\` must mean themselves, and Unicode beyond the BMP.
const SYMBOLS = ['AAPL', 'NVDA', 'a%b', 'a_b', 'a\\b', 'axb', 'Ünïcödé 😀', '%', '_', '\\', 'ab%', '', "it's"];
const STRATEGIES = ['Momentum', 'Congress', 'mo%mentum'];
// Decimals with every digit numeric(20, 8) holds: a float would round them together.
const QUANTITIES = [
  '1',
  '0.00000001',
  '999999999999.99999999',
  '999999999999.99999998',
  '1.5',
  '123456789012.12345678',
];
const PRICES = [null, '0.00000001', '187.25', '187.25000001'];
const CORRELATIONS = [null, 'c-1', 'c%'];
// Instants at the ends of the range and a microsecond apart.
const INSTANTS = [
  '0001-01-01T00:00:00.000000Z',
  '9999-12-31T23:59:59.999999Z',
  '1969-12-31T23:59:59.999999Z',
  '2026-10-01T14:00:00.000000Z',
  '2026-10-01T14:00:00.000001Z',
  '2000-02-29T12:00:00.000000Z',
];
const ROWS = 36;
/** Appended status changes: the where sees the derived status, not the written one. */
const CHANGES: Record<number, string> = { 1: 'failed', 4: 'cancelled', 7: 'pending', 10: 'executed', 13: 'failed' };

type Decision = {
  databaseId: string;
  symbol: string;
  strategy: string;
  side: string;
  quantity: string;
  limitPrice: string | null;
  status: string;
  correlationId: string | null;
  createdAt: string;
  decisionRationale: Record<string, unknown> | null;
};
type Kind = 'text' | 'decimal' | 'instant' | 'enum';
const KINDS: Record<string, Kind> = {
  symbol: 'text',
  strategy: 'text',
  correlationId: 'text',
  side: 'enum',
  status: 'enum',
  quantity: 'decimal',
  limitPrice: 'decimal',
  createdAt: 'instant',
};

/** Exact decimal order: scaled to integers of the column's 8 fractional digits. */
function decimalKey(text: string): bigint {
  const negative = text.startsWith('-');
  const [whole, fraction = ''] = text.replace('-', '').split('.');
  const scaled = BigInt(whole!) * 10n ** 8n + BigInt(fraction.padEnd(8, '0'));
  return negative ? -scaled : scaled;
}
function compare(kind: Kind, a: string, b: string): number {
  if (kind === 'decimal') {
    const [x, y] = [decimalKey(a), decimalKey(b)];
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (kind === 'instant') return compareInstants(parseDateTime(a), parseDateTime(b));
  return a === b ? 0 : 1;
}
/** ILIKE as PostgreSQL reads it: `%`, `_`, and `\` escaping the next character. */
function ilikeRegExp(pattern: string): RegExp {
  const literal = (character: string) => character.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
  const characters = [...pattern];
  let source = '';
  for (let i = 0; i < characters.length; i++) {
    const character = characters[i]!;
    if (character === '\\') source += literal(characters[++i] ?? '');
    else if (character === '%') source += '.*';
    else if (character === '_') source += '.';
    else source += literal(character);
  }
  return new RegExp(`^${source}$`, 'isu');
}

/** The same tree, evaluated in memory with the documented semantics: comparisons never match null. */
function holds(tree: Record<string, any>, row: Decision): boolean {
  return Object.entries(tree).every(([field, value]) => {
    if (value == null) return true;
    if (field === 'and') return value.every((branch: any) => holds(branch, row));
    if (field === 'or') return value.some((branch: any) => holds(branch, row));
    if (field === 'not') return !holds(value, row);
    if (field === 'decisionRationale') {
      const document = row.decisionRationale;
      if (value.hasKey == null && value.contains == null) return true;
      if (document == null) return false;
      if (value.hasKey != null && !(value.hasKey in document)) return false;
      if (value.contains != null && document.signal !== value.contains.signal) return false;
      return true;
    }
    return operatorsHold(KINDS[field]!, value, (row as any)[field]);
  });
}
function operatorsHold(kind: Kind, operators: Record<string, any>, value: string | null): boolean {
  return Object.entries(operators).every(([operator, operand]) => {
    if (operand == null) return true;
    if (operator === 'isNull') return operand ? value === null : value !== null;
    // An empty notIn is no condition at all, so it holds for a null too.
    if (operator === 'notIn' && operand.length === 0) return true;
    if (value === null) return false;
    const order = (other: string) => compare(kind, value, other);
    switch (operator) {
      case 'eq':
        return order(operand) === 0;
      case 'ne':
        return order(operand) !== 0;
      case 'in':
        return operand.some((other: string) => order(other) === 0);
      case 'notIn':
        return operand.every((other: string) => order(other) !== 0);
      case 'lt':
        return order(operand) < 0;
      case 'lte':
        return order(operand) <= 0;
      case 'gt':
        return order(operand) > 0;
      case 'gte':
        return order(operand) >= 0;
      case 'startsWith':
        return value.startsWith(operand);
      case 'contains':
        return value.includes(operand);
      case 'ilike':
        return ilikeRegExp(operand).test(value);
      default:
        throw new Error(`unknown operator ${operator}`);
    }
  });
}

const edgeInstants = dateTimes.filter(({ valid }) => valid).map(({ text }) => text);
const texts = fc.constantFrom(...SYMBOLS, ...STRATEGIES, 'c-1', 'c%', 'a', 'b', '😀', 'Ü', 'A');
const ilikePatterns = fc.constantFrom('a%', '%B', 'a\\%b', '_', 'a\\_b', '%😀', '%\\\\%', 'A_B', '%', '', 'n%a%');
const decimals = fc.constantFrom(...QUANTITIES, ...(PRICES.filter(Boolean) as string[]), '0.5', '187.2500', '-1', '0');
const instants = fc.oneof(fc.constantFrom(...INSTANTS, '2026-10-01T16:00:00.000001+02:00'), edgeInstants);
const list = <T>(values: fc.Arbitrary<T>) => fc.array(values, { maxLength: 4 });
const maybe = <T>(values: fc.Arbitrary<T>) => fc.option(values, { nil: null, freq: 4 });

/** One to two operators of the given ones, each with a value (or null: not given). */
const operators = (choices: Record<string, fc.Arbitrary<unknown>>) =>
  fc
    .array(
      fc.oneof(...Object.entries(choices).map(([name, values]) => maybe(values).map((value) => ({ [name]: value })))),
      {
        maxLength: 2,
      },
    )
    .map((parts) => Object.assign({}, ...parts));
const ordered = <T>(values: fc.Arbitrary<T>) =>
  operators({
    eq: values,
    ne: values,
    in: list(values),
    notIn: list(values),
    lt: values,
    lte: values,
    gt: values,
    gte: values,
    isNull: fc.boolean(),
  });
const text = operators({
  eq: texts,
  ne: texts,
  in: list(texts),
  notIn: list(texts),
  startsWith: texts,
  contains: texts,
  ilike: ilikePatterns,
  isNull: fc.boolean(),
});
const enumOf = (values: string[]) => {
  const value = fc.constantFrom(...values);
  return operators({ eq: value, ne: value, in: list(value), notIn: list(value) });
};
const json = operators({
  hasKey: fc.constantFrom('signal', 'score', 'none'),
  contains: fc.constantFrom('a', 'b').map((signal) => ({ signal })),
});

const fields = {
  symbol: text,
  strategy: text,
  correlationId: text,
  side: enumOf(['buy', 'sell']),
  status: enumOf(['pending', 'executed', 'failed', 'cancelled']),
  quantity: ordered(decimals),
  limitPrice: ordered(decimals),
  createdAt: ordered(instants),
  decisionRationale: json,
};
/** Conditions on one or two fields: enough to select some rows and not others. */
const leaf = fc
  .array(fc.oneof(...Object.entries(fields).map(([name, values]) => values.map((value) => ({ [name]: value })))), {
    minLength: 1,
    maxLength: 2,
  })
  .map((parts) => Object.assign({}, ...parts));
const { tree: trees } = fc.letrec<{ tree: Record<string, unknown> }>((tie) => ({
  tree: fc.oneof(
    { maxDepth: 4, depthIdentifier: 'where' },
    leaf,
    leaf.chain((fields) =>
      fc.record({ and: fc.array(tie('tree'), { maxLength: 3 }) }).map((more) => ({ ...fields, ...more })),
    ),
    fc.record({ or: fc.array(tie('tree'), { maxLength: 3 }) }),
    fc.record({ not: tie('tree') }),
  ),
}));

const page = /* GraphQL */ `
  query($where: TradeDecisionWhere, $first: Int, $after: String) {
    decisions(where: $where, first: $first, after: $after) {
      totalCount
      nodes { databaseId }
      pageInfo { hasNextPage endCursor }
    }
  }
`;

describe('where: random trees over decisions match an in-memory evaluation', () => {
  let gateway: TestGateway;
  let rows: Decision[];

  beforeAll(async () => {
    gateway = await startTestGateway();
    const client = new pg.Client({ connectionString: gateway.database.url });
    await client.connect();
    for (let index = 0; index < ROWS; index++) {
      await client.query(
        `insert into trade_decisions (decision_id, strategy, symbol, side, quantity, order_type, limit_price,
           status, decision_rationale, correlation_id, created_at)
         values ($1, $2, $3, $4, $5, 'market', $6, $7, $8, $9, $10)`,
        [
          `d${index}`,
          STRATEGIES[index % STRATEGIES.length],
          SYMBOLS[index % SYMBOLS.length],
          index % 2 ? 'buy' : 'sell',
          QUANTITIES[index % QUANTITIES.length],
          PRICES[index % PRICES.length],
          index % 3 ? 'executed' : 'pending',
          index % 5 === 0 ? null : { signal: index % 2 ? 'a' : 'b', ...(index % 3 ? { score: index } : {}) },
          CORRELATIONS[index % CORRELATIONS.length],
          INSTANTS[index % INSTANTS.length],
        ],
      );
    }
    await client.end();
    const all = await gateway.execute(`{ decisions(first: 100) { nodes { databaseId symbol strategy side quantity
      limitPrice status correlationId createdAt decisionRationale } } }`);
    rows = all.data!.decisions.nodes;
    const byIndex = [...rows].sort((a, b) => Number(a.databaseId) - Number(b.databaseId));
    for (const [index, to] of Object.entries(CHANGES))
      await appendStatusChange(gateway.database.url, {
        table: 'trade_decisions',
        id: byIndex[Number(index)]!.databaseId,
        to,
      });
    rows = (
      await gateway.execute(`{ decisions(first: 100) { nodes { databaseId symbol strategy side quantity
      limitPrice status correlationId createdAt decisionRationale } } }`)
    ).data!.decisions.nodes;
    expect(rows).toHaveLength(ROWS);
  });
  afterAll(() => gateway.close());

  const expected = (where: Record<string, unknown>) =>
    rows
      .filter((row) => holds(where, row))
      .map((row) => row.databaseId)
      .sort();

  it('one page of a random tree holds exactly the rows it holds for in memory, and totalCount says how many', async () => {
    await fc.assert(
      fc.asyncProperty(trees, async (where) => {
        const result = await gateway.execute(page, { where, first: 100 });
        expect(result.errors).toBeUndefined();
        const ids = result.data!.decisions.nodes.map((node: { databaseId: string }) => node.databaseId).sort();
        expect(ids).toEqual(expected(where));
        expect(result.data!.decisions.totalCount).toBe(ids.length);
      }),
      { numRuns: 150 },
    );
  });

  it('paging through a random tree yields that set once, in order', async () => {
    await fc.assert(
      fc.asyncProperty(trees, fc.integer({ min: 1, max: 7 }), async (where, size) => {
        const seen: string[] = [];
        let after: string | null = null;
        let total: number | undefined;
        for (;;) {
          const result: any = await gateway.execute(page, { where, first: size, after });
          expect(result.errors).toBeUndefined();
          const connection = result.data!.decisions;
          total ??= connection.totalCount;
          expect(connection.totalCount).toBe(total);
          seen.push(...connection.nodes.map((node: { databaseId: string }) => node.databaseId));
          if (!connection.pageInfo.hasNextPage) break;
          after = connection.pageInfo.endCursor;
        }
        expect(new Set(seen).size).toBe(seen.length);
        expect([...seen].sort()).toEqual(expected(where));
        expect(total).toBe(seen.length);
      }),
      { numRuns: 40 },
    );
  });
});
