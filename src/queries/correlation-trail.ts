import type { EntityManager } from '@mikro-orm/postgresql';
import { ResultTooLargeError } from '../base/errors';

export type TrailEntry = { kind: 'TradeDecision' | 'ApiPayload' | 'TradeExecution'; id: string };

/**
 * More than any real intent produces; a runaway id cannot make the answer
 * unbounded, and one past it is refused, never cut.
 */
export const MAX_TRAIL_LENGTH = 1000;

/**
 * Every lineage record of one intent, in time order: the decisions and API
 * payloads that carry the correlation id, and the executions of those
 * decisions (which carry it through their decision). One statement, each
 * branch on an indexed column; equal times keep the path's natural order
 * (decision, broker request, execution, broker response).
 */
export async function correlationTrail(em: EntityManager, correlationId: string): Promise<TrailEntry[]> {
  // Ties break on trail.id, the bigint: a bare `id` would name the select list's text column, where "10" < "9".
  const trail = await em.getConnection().execute<TrailEntry[]>(
    `select kind, id::text as id from (
       select 'TradeDecision' as kind, d.id, d.created_at as at, 1 as step
         from trade_decisions d where d.correlation_id = ?
       union all
       select 'ApiPayload', p.id, p.created_at, case p.direction when 'request' then 2 else 4 end
         from api_payloads p where p.correlation_id = ?
       union all
       select 'TradeExecution', e.id, e.created_at, 3 from trade_executions e
         join trade_decisions d on d.id = e.trade_decision_id where d.correlation_id = ?
     ) trail
     order by at, step, trail.id
     limit ${MAX_TRAIL_LENGTH + 1}`,
    [correlationId, correlationId, correlationId],
  );
  if (trail.length > MAX_TRAIL_LENGTH) {
    throw new ResultTooLargeError(
      `the trail of this correlation id holds more than ${MAX_TRAIL_LENGTH} records, the most one answer carries: ` +
        'page its decisions with decisions(filter: { correlationId }) and walk their executions and inputs',
    );
  }
  return trail;
}
