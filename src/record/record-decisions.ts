import type { EntityManager, Knex } from '@mikro-orm/postgresql';
import { BadInputError } from '../base/errors';
import type { RecordResult, TradeDecisionInput } from './record-inputs';
import { DECISIONS, PAYLOADS } from './record-tables';
import { RecordError } from './record-writer';
import { checkCount, checkDecimal, checkText } from './input-checks';
import { record } from './record-batch';
import { DECIMAL_RULES } from './field-rules';

export function recordDecisions(
  em: EntityManager,
  actor: string,
  decisions: TradeDecisionInput[],
): Promise<RecordResult> {
  checkCount(decisions);
  decisions.forEach((decision, index) => {
    for (const field of ['decisionId', 'strategy', 'symbol', 'orderType'] as const)
      checkText(decision[field], `records[${index}].${field}`);
    for (const [field, rule] of Object.entries(DECIMAL_RULES.TradeDecision!))
      checkDecimal(decision[field as keyof TradeDecisionInput] as string | null, `records[${index}].${field}`, rule);
    if ((decision.inputPayloadIds?.length ?? 0) > 100)
      throw new BadInputError(`records[${index}].inputPayloadIds: at most 100`, 'inputPayloadIds');
  });
  return record(
    em,
    actor,
    DECISIONS,
    decisions.map((decision) => decision.decisionId),
    (bundle) => {
      bundle.decisions = decisions.map((decision, index) => ({
        source: `records[${index}]`,
        row: {
          decision_id: decision.decisionId,
          strategy: decision.strategy,
          symbol: decision.symbol,
          side: decision.side,
          quantity: decision.quantity,
          order_type: decision.orderType,
          limit_price: decision.limitPrice ?? null,
          status: decision.status ?? 'pending',
          decision_rationale: decision.rationale ?? null,
          correlation_id: decision.correlationId ?? null,
          created_at: decision.createdAt,
        },
      }));
    },
    (trx, ids) => recordDecisionInputs(trx, decisions, ids),
  );
}

/** The FED edges: written with a new decision; for one already recorded they must be the ones it was recorded with. */
async function recordDecisionInputs(
  trx: Knex.Transaction,
  decisions: TradeDecisionInput[],
  ids: Map<string, string>,
): Promise<void> {
  const wanted = [...new Set(decisions.flatMap((decision) => decision.inputPayloadIds ?? []))];
  const payloads =
    wanted.length === 0
      ? []
      : ((await trx(PAYLOADS.table).select('id', 'external_id').whereIn('external_id', wanted)) as {
          id: string;
          external_id: string;
        }[]);
  const payloadId = new Map(payloads.map((row) => [row.external_id, String(row.id)]));
  const stored = (await trx('decision_inputs')
    .select('trade_decision_id', 'api_payload_id')
    .whereIn('trade_decision_id', [...ids.values()])) as { trade_decision_id: string; api_payload_id: string }[];
  const links: { trade_decision_id: string; api_payload_id: string }[] = [];
  decisions.forEach((decision, index) => {
    const decisionId = ids.get(decision.decisionId)!;
    const given = (decision.inputPayloadIds ?? []).map((externalId) => {
      const id = payloadId.get(externalId);
      if (!id)
        throw new RecordError(
          `records[${index}]`,
          `inputPayloadIds names api_payloads ${JSON.stringify(externalId)}, which is not recorded`,
          'BAD_USER_INPUT',
        );
      return id;
    });
    const before = stored
      .filter((row) => String(row.trade_decision_id) === decisionId)
      .map((row) => String(row.api_payload_id))
      .sort();
    const after = [...new Set(given)].sort();
    if (before.length === 0)
      links.push(...after.map((api_payload_id) => ({ trade_decision_id: decisionId, api_payload_id })));
    else if (before.join() !== after.join()) {
      throw new RecordError(
        `records[${index}]`,
        `${DECISIONS.table} ${decision.decisionId} is already recorded with other input payloads`,
        'CONFLICT',
      );
    }
  });
  if (links.length > 0)
    await trx('decision_inputs').insert(links).onConflict(['trade_decision_id', 'api_payload_id']).ignore();
}
