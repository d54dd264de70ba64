import fc from 'fast-check';
import { durationMilliseconds } from '../src/time/duration';
import { appendStatusChange, createTrade } from './harness/fixtures';
import { startTestGateway, type TestGateway } from './harness/gateway';
import { DecisionStatus } from '../src/entities/trade-decision.entity';
import { ExecutionStatus } from '../src/entities/trade-execution.entity';
import { instantOf } from '../src/time/instant';

const DAY = 86_400_000;
const NOW = Date.now();
// Broker messages and the full-text queries that find them (English stemming: "closed" finds "close").
const MESSAGES = [null, 'insufficient buying power', 'market is closed', 'rejected: insufficient funds'];
const MATCHES: Record<string, (string | null)[]> = {
  'buying power': ['insufficient buying power'],
  insufficient: ['insufficient buying power', 'rejected: insufficient funds'],
  'market closes': ['market is closed'],
  '"buying power" -funds': ['insufficient buying power'],
};
const DURATIONS = ['P7D', 'P30D', 'PT1H', 'P1W', 'P365D'];

/** One generated trade: what the predicates look at, drawn at random. */
const tradeSpec = fc.record({
  rationale: fc.constantFrom(null, {}, { signal: 'congress_buy' }),
  daysAgo: fc.integer({ min: 0, max: 90 }),
  status: fc.constantFrom(DecisionStatus.pending, DecisionStatus.executed),
  changed: fc.boolean(),
  executions: fc.array(
    fc.record({
      missingRequest: fc.boolean(),
      missingResponse: fc.boolean(),
      // Shares the previous execution's response payload: the two legs of one fill.
      sameFill: fc.boolean(),
      submitted: fc.boolean(),
      message: fc.constantFrom(...MESSAGES),
    }),
    { maxLength: 3 },
  ),
});
type Spec = typeof tradeSpec extends fc.Arbitrary<infer T> ? T : never;

type Row = {
  id: string;
  createdMs: number;
  pending: boolean;
  emptyRationale?: boolean;
  multiple?: boolean;
  missingRequest?: boolean;
  missingResponse?: boolean;
  message?: string | null;
  decision?: string;
};

/** A where: tree over the predicates, and its in-memory evaluation. */
type Tree = { where: string; holds: (row: Row) => boolean };
const cutoffOf = (olderThan: string) => NOW - durationMilliseconds(olderThan);
const stale = fc.oneof(
  fc.constantFrom(...DURATIONS).map((olderThan) => ({
    where: `stalePending: { olderThan: "${olderThan}" }`,
    holds: (row: Row) => row.pending && row.createdMs < cutoffOf(olderThan),
  })),
  fc.integer({ min: 0, max: 95 }).map((days) => ({
    where: `stalePending: { createdBefore: "${instantOf(new Date(NOW - days * DAY - DAY / 2))}" }`,
    holds: (row: Row) => row.pending && row.createdMs < NOW - days * DAY - DAY / 2,
  })),
);
const flag = (field: string, read: (row: Row) => boolean) =>
  fc.boolean().map((value) => ({ where: `${field}: ${value}`, holds: (row: Row) => read(row) === value }));
const decisionLeaf = fc.oneof(
  flag('emptyRationale', (row) => row.emptyRationale!),
  flag('multipleExecutions', (row) => row.multiple!),
  stale,
);
const executionLeaf = fc.oneof(
  flag('missingRequestPayload', (row) => row.missingRequest!),
  flag('missingResponsePayload', (row) => row.missingResponse!),
  fc.constantFrom(...Object.keys(MATCHES)).map((query) => ({
    where: `errorText: { matches: ${JSON.stringify(query)} }`,
    holds: (row: Row) => MATCHES[query]!.includes(row.message ?? null),
  })),
  stale,
);
function treeOf(leaf: fc.Arbitrary<Tree>): fc.Arbitrary<Tree> {
  const { tree } = fc.letrec<{ tree: Tree }>((recurse) => ({
    tree: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      fc.array(recurse('tree'), { maxLength: 3 }).map((trees) => ({
        where: `and: [${trees.map((t) => `{ ${t.where} }`).join(', ')}]`,
        holds: (row: Row) => trees.every((t) => t.holds(row)),
      })),
      fc.array(recurse('tree'), { maxLength: 3 }).map((trees) => ({
        where: `or: [${trees.map((t) => `{ ${t.where} }`).join(', ')}]`,
        holds: (row: Row) => trees.some((t) => t.holds(row)),
      })),
      recurse('tree').map((t) => ({ where: `not: { ${t.where} }`, holds: (row: Row) => !t.holds(row) })),
    ),
  }));
  return tree;
}

describe('integrity predicates in where: agree with an in-memory evaluation and with the integrity report', () => {
  let gateway: TestGateway;
  const decisions: Row[] = [];
  const executions: Row[] = [];

  beforeAll(async () => {
    gateway = await startTestGateway();
    const specs: Spec[] = fc.sample(tradeSpec, { numRuns: 32, seed: 18 });
    for (const spec of specs) {
      const createdMs = NOW - spec.daysAgo * DAY - 3_600_000;
      const created = instantOf(new Date(createdMs));
      const trade = await createTrade(gateway.orm.em.fork(), {
        executionCount: spec.executions.length,
        adjust: ({ decision, executions: rows }) => {
          Object.assign(decision, { decisionRationale: spec.rationale, status: spec.status, createdAt: created });
          rows.forEach((execution, index) => {
            const shape = spec.executions[index]!;
            if (shape.sameFill && index > 0) execution.apiResponsePayload = rows[index - 1]!.apiResponsePayload;
            if (shape.missingRequest) execution.apiRequestPayload = null;
            if (shape.missingResponse) execution.apiResponsePayload = null;
            execution.status = shape.submitted ? ExecutionStatus.submitted : ExecutionStatus.rejected;
            execution.errorMessage = shape.message;
            execution.createdAt = created;
          });
        },
      });
      if (spec.changed && spec.status === DecisionStatus.pending)
        await appendStatusChange(gateway.database.url, {
          table: 'trade_decisions',
          id: trade.decision.id,
          to: 'failed',
        });
      const fills = new Set(
        trade.executions.map((execution) => execution.apiResponsePayload?.id ?? `-${execution.id}`),
      );
      decisions.push({
        id: trade.decision.id,
        createdMs,
        pending: spec.status === DecisionStatus.pending && !spec.changed,
        emptyRationale: spec.rationale === null || Object.keys(spec.rationale).length === 0,
        multiple: fills.size > 1,
      });
      for (const execution of trade.executions)
        executions.push({
          id: execution.id,
          createdMs,
          pending: execution.status === ExecutionStatus.submitted,
          missingRequest: execution.apiRequestPayload == null,
          missingResponse: execution.apiResponsePayload == null,
          message: execution.errorMessage,
          decision: trade.decision.id,
        });
    }
  }, 120_000);
  afterAll(() => gateway.close());

  const ids = (rows: Row[], tree: Tree) =>
    rows
      .filter(tree.holds)
      .map((row) => row.id)
      .sort();

  it.each([
    ['decisions', decisionLeaf, () => decisions],
    ['executions', executionLeaf, () => executions],
  ] as const)(
    '%s: any tree of predicates finds exactly the rows it holds for, and counts them',
    async (list, leaf, rows) => {
      await fc.assert(
        fc.asyncProperty(treeOf(leaf), async (tree) => {
          const result = await gateway.execute(
            `{ ${list}(first: 100, where: { ${tree.where} }) { nodes { databaseId } totalCount } }`,
          );
          expect(result.errors).toBeUndefined();
          const found = result.data![list].nodes.map((node: { databaseId: string }) => node.databaseId).sort();
          expect(found).toEqual(ids(rows(), tree));
          expect(result.data![list].totalCount).toBe(found.length);
        }),
        { numRuns: 60, seed: 18 },
      );
    },
  );

  it('finds exactly what the integrity report flags, check by check', async () => {
    const from = new Date(NOW - 100 * DAY).toISOString().slice(0, 10);
    const to = new Date(NOW + DAY).toISOString().slice(0, 10);
    const report = await gateway.execute(
      `{ integrityReport(from: "${from}", to: "${to}", limit: 100) { findings { check items { databaseId } } } }`,
    );
    expect(report.errors).toBeUndefined();
    const flagged = (check: string) =>
      report
        .data!.integrityReport.findings.find((finding: { check: string }) => finding.check === check)
        .items.map((item: { databaseId: string }) => item.databaseId)
        .sort();
    const filtered = async (list: string, where: string) =>
      (await gateway.execute(`{ ${list}(first: 100, where: ${where}) { nodes { databaseId } } }`))
        .data![list].nodes.map((node: { databaseId: string }) => node.databaseId)
        .sort();
    const pairs: [string, string, string][] = [
      ['DECISION_WITHOUT_RATIONALE', 'decisions', '{ emptyRationale: true }'],
      ['DUPLICATE_EXECUTIONS', 'decisions', '{ multipleExecutions: true }'],
      ['STALE_PENDING_DECISION', 'decisions', '{ stalePending: { olderThan: "P7D" } }'],
      [
        'EXECUTION_MISSING_PAYLOAD',
        'executions',
        '{ or: [{ missingRequestPayload: true }, { missingResponsePayload: true }] }',
      ],
    ];
    for (const [check, list, where] of pairs) {
      const expected = flagged(check);
      expect({ check, found: await filtered(list, where) }).toEqual({ check, found: expected });
      expect({ check, some: expected.length > 0 }).toEqual({ check, some: true });
    }
  });

  it("holds inside relation filters, on a node's own lists and in aggregates too", async () => {
    const found = async (list: string, where: string) =>
      (await gateway.execute(`{ ${list}(first: 100, where: ${where}) { nodes { databaseId } } }`)).data![
        list
      ].nodes.map((node: { databaseId: string }) => node.databaseId);
    const empty = new Set(decisions.filter((row) => row.emptyRationale).map((row) => row.id));
    expect((await found('executions', '{ decision: { emptyRationale: true } }')).sort()).toEqual(
      executions
        .filter((row) => empty.has(row.decision!))
        .map((row) => row.id)
        .sort(),
    );
    const missing = new Set(executions.filter((row) => row.missingRequest).map((row) => row.decision));
    expect((await found('decisions', '{ executions: { some: { missingRequestPayload: true } } }')).sort()).toEqual(
      decisions
        .filter((row) => missing.has(row.id))
        .map((row) => row.id)
        .sort(),
    );
    expect(missing.size).toBeGreaterThan(0);
    // A node's own list and an aggregate take the same where: fields.
    const own = await gateway.execute(
      `{ decisions(first: 100) { nodes { executions(where: { missingRequestPayload: true }) { nodes { databaseId } } } } }`,
    );
    expect(
      own.data!.decisions.nodes.flatMap((node: any) => node.executions.nodes.map((e: any) => e.databaseId)).sort(),
    ).toEqual(
      executions
        .filter((row) => row.missingRequest)
        .map((row) => row.id)
        .sort(),
    );
    const counted = await gateway.execute('{ executionsAggregate(where: { missingRequestPayload: true }) { count } }');
    expect(counted.data!.executionsAggregate[0].count).toBe(executions.filter((row) => row.missingRequest).length);
  });

  it('adds no statement per row: a page and its count are two statements, whatever the predicates', async () => {
    const where =
      '{ emptyRationale: false, multipleExecutions: false, stalePending: { olderThan: "P1D" }, not: { emptyRationale: true } }';
    const { result, statements } = await gateway.countStatements(() =>
      gateway.execute(`{ decisions(first: 100, where: ${where}) { nodes { databaseId } totalCount } }`),
    );
    expect(result.errors).toBeUndefined();
    expect(statements).toBe(2);
  });
});
