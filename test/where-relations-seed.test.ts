import pg from 'pg';
import { seedDatabase, type SeedSummary } from '../src/seed/seed-database';
import { startTestGateway, type TestGateway } from './harness/gateway';

const anchor = new Date('2026-11-01T00:00:00Z');

/** Database ids of the decisions a plain join finds, to hold the where: answer against. */
async function joined(url: string, condition: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query(
      `select distinct i.trade_decision_id::text as id from decision_inputs i
         join api_payloads p on p.id = i.api_payload_id left join data_ingestion_runs r on r.id = p.ingestion_run_id
        where ${condition} order by 1`,
    );
    return rows.map((row) => row.id as string).sort();
  } finally {
    await client.end();
  }
}

describe('the generated data answers the questions asked across the graph', () => {
  let gateway: TestGateway;
  let summary: SeedSummary;

  beforeAll(async () => {
    gateway = await startTestGateway();
    summary = await seedDatabase(gateway.database.url, { scale: 0.3, seed: 7, anchor });
  }, 120_000);
  afterAll(() => gateway.close());

  /** Every page of decisions under `where`, and the count its first page says. */
  const decisions = async (where: string) => {
    const ids: string[] = [];
    let totalCount: number | undefined;
    let after: string | null = null;
    for (;;) {
      const result: any = await gateway.execute(
        `query($after: String) { decisions(first: 100, after: $after, where: ${where}) {
           totalCount nodes { databaseId } pageInfo { hasNextPage endCursor } } }`,
        { after },
      );
      expect(result.errors).toBeUndefined();
      const connection = result.data!.decisions;
      totalCount ??= connection.totalCount as number;
      ids.push(...connection.nodes.map((node: { databaseId: string }) => node.databaseId));
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    return { totalCount, ids: ids.sort() };
  };

  it('plants a few decisions fed by a failed run, and where: finds exactly them', async () => {
    const { decisionsFedByFailedRun } = summary.plantedAnswers;
    expect(decisionsFedByFailedRun).toBeGreaterThan(0);
    expect(decisionsFedByFailedRun).toBeLessThan(summary.rows.tradeDecisions * 0.1);
    const found = await decisions('{ inputs: { some: { ingestionRun: { status: { eq: failed } } } } }');
    expect(found.totalCount).toBe(decisionsFedByFailedRun);
    expect(found.ids).toEqual(await joined(gateway.database.url, `r.status = 'failed'`));
  });

  it('plants fewer decisions fed by a payload answered ≥ 400, each also fed by its failed run', async () => {
    const { decisionsFedByErrorPayload, decisionsFedByFailedRun } = summary.plantedAnswers;
    expect(decisionsFedByErrorPayload).toBeGreaterThan(0);
    expect(decisionsFedByErrorPayload).toBeLessThan(decisionsFedByFailedRun);
    const found = await decisions('{ inputs: { some: { httpStatus: { gte: 400 } } } }');
    expect(found.totalCount).toBe(decisionsFedByErrorPayload);
    expect(found.ids).toEqual(await joined(gateway.database.url, 'p.http_status >= 400'));
    const both = await decisions(
      '{ inputs: { some: { httpStatus: { gte: 400 }, ingestionRun: { status: { eq: failed } } } } }',
    );
    expect(both.ids).toEqual(found.ids);
  });

  it('keeps the rest of the generated data as it was: the runs that failed on their first call fed nothing', async () => {
    const fedNothing = await gateway.execute(`{
      ingestionRuns(where: { status: { eq: failed }, recordsFetched: { eq: 0 }, payloads: { some: { decisions: { some: {} } } } }) {
        totalCount
      }
    }`);
    expect(fedNothing.errors).toBeUndefined();
    expect(fedNothing.data!.ingestionRuns.totalCount).toBe(0);
  });
});
