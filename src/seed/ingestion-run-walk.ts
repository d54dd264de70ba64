import type { FetchedPayload } from './decision-draft';
import { fetchError, fetchedRecord } from './payload-bodies';
import { type FetchTask, FETCH_TASKS, FETCH_TASK_WEIGHTS, SYMBOL_PRICES, SYMBOL_WEIGHTS, SYMBOLS } from './vocabulary';
import { bytes, json, MINUTE, type WalkState, ymd } from './walk-state';

/**
 * One ingestion run: its fetched payloads (or the one error response of a
 * failed run), then its run row. `made` of `total` decisions places the run
 * in the tranche's span, so runs keep pace with the decisions drawn from them. A few
 * runs (planted, 3% of those that fetch) fail on a last call after fetching
 * their records: `failedCall` is that call's error response, and the
 * records stay for strategies to read.
 */
export async function walkIngestionRun(
  walk: WalkState,
  made: number,
  total: number,
): Promise<{ task: FetchTask; finishedMs: number; fetched: FetchedPayload[]; failedCall: number | null }> {
  const { random, plants, span, next, emit, sink } = walk;
  const task = random.weighted(FETCH_TASKS, FETCH_TASK_WEIGHTS);
  const runStartMs = span.startMs + Math.floor((made / total) * span.ms) + random.int(0, 10 * MINUTE);
  const runId = ++next.run;
  const taskSuffix = task.taskName.slice('data_fetch:'.length);
  const externalRunId = `${taskSuffix}-${ymd(runStartMs)}-${runId.toString(36).padStart(6, '0')}`;
  const failedFetch = random.chance(0.04) ? random.pick([401, 429, 500, 503]) : null;
  const failedLater = failedFetch === null && plants.chance(0.03) ? plants.pick([429, 500, 503]) : null;
  const failedStatus = failedFetch ?? failedLater;
  const fetched: FetchedPayload[] = [];
  let clockMs = runStartMs;
  /** One of the run's API responses, fetched records and failed call alike; true when the sink wants a flush. */
  const emitResponse = (id: number, httpStatus: number, latency: number, body: unknown, atMs: number) =>
    emit('api_payloads', () => ({
      id,
      ingestion_run_id: runId,
      direction: 'response',
      provider: task.source,
      endpoint: task.endpoint,
      http_method: 'GET',
      http_status: httpStatus,
      latency_ms: latency,
      payload: json(body),
      payload_bytes: bytes(body),
      correlation_id: externalRunId,
      created_at: new Date(atMs),
      external_id: null,
    }));

  const recordCount = failedFetch === null ? random.int(6, 18) : 0;
  for (let index = 0; index < recordCount; index++) {
    const symbol = random.weighted(SYMBOLS, SYMBOL_WEIGHTS);
    const price = SYMBOL_PRICES.get(symbol)! * (0.9 + random.float() * 0.2);
    const body = fetchedRecord(random, task, symbol, price, runStartMs);
    const latency = random.int(80, 900);
    clockMs += latency;
    const payload = { id: ++next.payload, symbol, price };
    fetched.push(payload);
    if (emitResponse(payload.id, 200, latency, body, clockMs)) await sink.flush();
  }
  let failedCall: number | null = null;
  if (failedStatus !== null) {
    const body = fetchError(failedStatus);
    const latency = failedLater === null ? random.int(50, 30_000) : plants.int(50, 30_000);
    clockMs += latency;
    const id = ++next.payload;
    if (failedLater !== null) failedCall = id;
    if (emitResponse(id, failedStatus, latency, body, clockMs)) await sink.flush();
  }
  const metadata = {
    host: task.host,
    endpoint: task.endpoint,
    page_size: 100,
    trigger: random.chance(0.95) ? 'cron' : 'manual',
    worker: `ingest-${random.int(1, 4)}`,
  };
  const finishedMs = clockMs + random.int(100, 2000);
  const errorMessage =
    failedStatus === null
      ? null
      : `HTTP ${failedStatus} from ${task.source} ${task.endpoint}: ${String(fetchError(failedStatus).error)}`;
  if (
    emit('data_ingestion_runs', () => ({
      id: runId,
      run_id: externalRunId,
      task_name: task.taskName,
      source: task.source,
      status: failedStatus === null ? 'succeeded' : 'failed',
      records_fetched: recordCount,
      error_message: errorMessage,
      metadata: metadata,
      started_at: new Date(runStartMs),
      finished_at: new Date(finishedMs),
      created_at: new Date(runStartMs),
    }))
  )
    await sink.flush();
  return { task, finishedMs, fetched, failedCall };
}
