import autocannon from 'autocannon';
import pg from 'pg';
import type { RunningSystem } from './systems';
import type { Samples, Workload } from './workloads';

// What every load benchmark shares: the ids requests rotate over, and one autocannon run.

const SAMPLE_SIZE = 2_000;

/** Ids drawn at random from the dataset, the same ones run after run (setseed). */
export async function drawSamples(url: string): Promise<Samples> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const column = async (sql: string) => (await client.query<{ v: string }>(sql)).rows.map((row) => row.v);
  try {
    // setseed makes the same scale draw the same ids run after run.
    await client.query('select setseed(0.42)');
    return {
      positionIds: await column(
        `select id::text as v from positions p
          where exists (select 1 from trade_executions e where e.position_id = p.id)
          order by random() limit ${SAMPLE_SIZE}`,
      ),
      runIds: await column(
        `select id::text as v from data_ingestion_runs r
          where exists (select 1 from api_payloads a where a.ingestion_run_id = r.id)
          order by random() limit ${SAMPLE_SIZE}`,
      ),
      executionIds: await column(
        `select execution_id as v from trade_executions order by random() limit ${SAMPLE_SIZE}`,
      ),
      // Signal and model version together: containments that match a few dozen to a few thousand decisions.
      rationales: (
        await client.query<{ v: Record<string, unknown> }>(
          `select distinct jsonb_build_object('signal', decision_rationale->'signal',
                                              'model_version', decision_rationale->'model_version') as v
             from trade_decisions where decision_rationale ? 'signal' and decision_rationale ? 'model_version'`,
        )
      ).rows.map((row) => row.v),
    };
  } finally {
    await client.end();
  }
}

/** One autocannon run against one system, each request built for the next sample. */
export function load(
  system: RunningSystem,
  workload: Workload,
  samples: Samples,
  connections: number,
  seconds: number,
): Promise<autocannon.Result> {
  let next = Math.floor(Math.random() * 10_000);
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: system.origin,
        connections,
        duration: seconds,
        headers: { 'content-type': 'application/json', ...system.headers },
        requests: [
          {
            setupRequest: (request) => {
              const built = workload.request(system.name, samples, next++)!;
              return { ...request, method: built.method, path: built.path, body: built.body };
            },
          },
        ],
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
}

/** One request of `workload` to `system`, for the sample at `index`: its parsed JSON answer. */
export async function send(
  system: RunningSystem,
  workload: Workload,
  samples: Samples,
  index: number,
): Promise<unknown> {
  const built = workload.request(system.name, samples, index)!;
  const response = await fetch(system.origin + built.path, {
    method: built.method,
    headers: { 'content-type': 'application/json', ...system.headers },
    body: built.body,
  });
  return response.json();
}
