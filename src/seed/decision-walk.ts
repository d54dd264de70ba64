import { type FetchedPayload, makeDecision, rationaleFor } from './decision-draft';
import type { ExecutionStatus } from './broker-orders';
import { formatUnits } from './fixed-point';
import type { FetchTask } from './vocabulary';
import { walkExecution } from './execution-walk';
import { DAY, HOUR, MINUTE, type WalkState } from './walk-state';
import { emitStatusChange } from './status-events';
import { emitPreTradeChecks } from './pre-trade-checks';

/** How long after its executions' outcome the order router settles a decision. */
const SETTLE_MS = 250;
/** When a decision cancelled before any order is settled. */
const CANCEL_MS = 5 * MINUTE;

/**
 * One decision drawn from a run's fetched payloads: its status (some planted
 * stuck pending, some without a rationale), its row (pending, as written
 * when it was decided) and input edges, the executions its status calls for
 * (a few planted twice), then its move from pending to that status. A
 * decision drawn from a run that failed after fetching is counted as fed by
 * a failed run; 15% of those (planted) were also fed by the run's failed call.
 * Before its orders, the checks that let them go (or, for a decision
 * cancelled before any order, refused it).
 */
export async function walkDecision(
  walk: WalkState,
  task: FetchTask,
  run: { fetched: FetchedPayload[]; failedCall: number | null },
  finishedMs: number,
): Promise<void> {
  const { random, plants, answers, anchorMs, next, planted, emit, sink } = walk;
  const { fetched, failedCall } = run;
  const atMs = Math.min(finishedMs + random.int(2 * MINUTE, 90 * MINUTE), anchorMs - 1000);
  const inputCount = Math.min(fetched.length, random.int(1, 3));
  const first = random.int(0, fetched.length - 1);
  const inputs = Array.from({ length: inputCount }, (_, offset) => fetched[(first + offset) % fetched.length]!);
  const decision = makeDecision(random, task, inputs[0]!, atMs, ++next.decision);

  let status: 'pending' | 'executed' | 'failed' | 'cancelled';
  if (atMs > anchorMs - HOUR) status = 'pending';
  // Stuck for over a week by the anchor: what the quarterly audit's "pending older than a week" finds.
  else if (atMs < anchorMs - 8 * DAY && atMs > anchorMs - 10 * DAY && random.chance(0.2)) {
    status = 'pending';
    planted.pendingDecisionsStuck += 1;
  } else {
    const roll = random.float();
    status = roll < 0.8 ? 'executed' : roll < 0.95 ? 'failed' : 'cancelled';
  }
  let rationale: Record<string, unknown> | null = rationaleFor(random, decision, inputs);
  if (status !== 'pending' && random.chance(0.006)) {
    rationale = null;
    planted.decisionsWithoutRationale += 1;
  }
  const decisionRow = () => ({
    id: decision.id,
    decision_id: decision.externalId,
    strategy: decision.strategy,
    symbol: decision.symbol,
    side: decision.side,
    quantity: formatUnits(decision.quantityUnits),
    order_type: decision.orderType,
    limit_price: decision.limitUnits === null ? null : formatUnits(decision.limitUnits),
    status: 'pending',
    decision_rationale: rationale,
    correlation_id: decision.correlationId,
    created_at: new Date(atMs),
  });
  if (emit('trade_decisions', decisionRow)) await sink.flush();
  const inputIds = inputs.map((input) => input.id);
  if (failedCall !== null) {
    answers.decisionsFedByFailedRun += 1;
    if (plants.chance(0.15)) {
      inputIds.push(failedCall);
      answers.decisionsFedByErrorPayload += 1;
    }
  }
  for (const input of inputIds)
    if (emit('decision_inputs', () => ({ trade_decision_id: decision.id, api_payload_id: input }))) await sink.flush();

  const executionStatuses: ExecutionStatus[] =
    status === 'executed'
      ? [random.chance(0.92) ? 'filled' : 'partially_filled']
      : status === 'failed'
        ? ['rejected']
        : status === 'cancelled' && random.chance(0.5)
          ? ['cancelled']
          : [];
  if (status === 'executed' && random.chance(0.005)) {
    // A retried submission that the broker also filled: the duplicate the integrity audit hunts.
    executionStatuses.push('filled');
    planted.decisionsWithTwoExecutions += 1;
  }
  await emitPreTradeChecks(walk, decision, status === 'cancelled' && executionStatuses.length === 0);
  let outcomeMs: number | null = null;
  for (const plannedStatus of executionStatuses)
    outcomeMs = Math.max(outcomeMs ?? 0, await walkExecution(walk, decision, atMs, plannedStatus));
  if (status !== 'pending')
    await emitStatusChange(walk, {
      table: 'trade_decisions',
      id: decision.id,
      from: 'pending',
      to: status,
      atMs: outcomeMs === null ? atMs + CANCEL_MS : outcomeMs + SETTLE_MS,
    });
}
