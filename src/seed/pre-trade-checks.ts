import type { Decision } from './decision-draft';
import { emitEvent } from './event-rows';
import { centsToJsonNumber, productToCents, unitsToJsonNumberString } from './fixed-point';
import type { WalkState } from './walk-state';

/** Each strategy's notional for one day, past which the risk engine blocks its orders: 2 million dollars. */
const STRATEGY_DAILY_NOTIONAL_CENTS = 200_000_000n;
/** Of the decisions refused before any order, the share the restricted list stops (the rest the risk engine). */
const RESTRICTED_SHARE = 0.3;

/**
 * The checks between a decision and its order (strategy intent → risk →
 * order, with the intent's correlation id): the compliance desk's
 * `restricted_list_check`, then the risk engine's `risk_check`, both about
 * the decision. A decision cancelled before any order (`refused`) was
 * stopped by one of them: on the restricted list, or over its strategy's
 * daily notional, which the risk engine also logs as `limit_exceeded`.
 * Outcomes are drawn from the walk's `checks` stream, so the lineage stays
 * as it was.
 */
export async function emitPreTradeChecks(walk: WalkState, decision: Decision, refused: boolean): Promise<void> {
  const { checks } = walk;
  const restricted = refused && checks.chance(RESTRICTED_SHARE);
  /** One check's event about the decision, `afterMs` after it; `data` adds to what names the decision. */
  const emitCheck = (
    kind: 'risk' | 'compliance',
    check: { event: string; afterMs: number },
    data: () => Record<string, unknown>,
  ) =>
    emitEvent(walk, kind, () => ({
      logType: kind === 'risk' ? 'RISK' : 'COMPLIANCE',
      event: check.event,
      actor: kind === 'risk' ? 'risk-engine' : 'compliance-engine',
      atMs: decision.atMs + check.afterMs,
      subject: { table: 'trade_decisions', id: decision.id },
      data: {
        decision_id: decision.externalId,
        correlation_id: decision.correlationId,
        strategy: decision.strategy,
        symbol: decision.symbol,
        ...data(),
      },
    }));
  const notionalCents = () => productToCents(BigInt(decision.quantityUnits) * BigInt(decision.priceUnits));
  await emitCheck('compliance', { event: 'restricted_list_check', afterMs: 100 }, () => ({
    result: restricted ? 'restricted' : 'clear',
    reasoning: restricted ? 'on the restricted list' : 'no conflict, not restricted',
  }));
  if (restricted) return;
  const rejected = refused;
  await emitCheck('risk', { event: 'risk_check', afterMs: 200 }, () => ({
    side: decision.side,
    quantity: Number(unitsToJsonNumberString(decision.quantityUnits)),
    notional: centsToJsonNumber(notionalCents()),
    result: rejected ? 'rejected' : 'approved',
    checks: { restricted_list: 'pass', strategy_daily_notional: rejected ? 'fail' : 'pass' },
  }));
  if (!rejected) return;
  // Already used: short of the limit by less than this order, so that the order would cross it.
  const requested = notionalCents();
  const shortBy = (requested * BigInt(checks.int(0, 90))) / 100n;
  await emitCheck('risk', { event: 'limit_exceeded', afterMs: 200 }, () => ({
    limit: 'strategy_daily_notional',
    limit_value: centsToJsonNumber(STRATEGY_DAILY_NOTIONAL_CENTS),
    used_before: centsToJsonNumber(STRATEGY_DAILY_NOTIONAL_CENTS - shortBy),
    requested: centsToJsonNumber(requested),
    severity: 'MEDIUM',
    action_taken: 'order_blocked',
  }));
}
