import type { EntityManager } from '@mikro-orm/postgresql';
import type { HoldScope } from '../entities/legal-hold.entity';
import { type Instant, instantFromDatabase } from '../time/instant';

/** A hold as listings show it, with its release when it has one. */
export type LegalHoldRow = {
  id: string;
  scope: HoldScope;
  symbol: string | null;
  account: string | null;
  strategy: string | null;
  /** The period's first and last UTC day (YYYY-MM-DD), both included. */
  from: string | null;
  to: string | null;
  reason: string;
  placedBy: string;
  placedAt: Instant;
  active: boolean;
  releasedBy: string | null;
  releaseReason: string | null;
  releasedAt: Instant | null;
};

/**
 * The holds, oldest first: the active ones, or every hold ever placed
 * (`all`), released ones with who released them, when and why. The one read
 * of holds, for `hold list` and GraphQL's `legalHolds`.
 */
export async function listLegalHolds(em: EntityManager, options: { all: boolean }): Promise<LegalHoldRow[]> {
  const { rows } = await em.getKnex().raw(
    `select h.id::text, h.scope_kind, h.symbol, h.account, h.strategy,
            to_char(h.period_from, 'YYYY-MM-DD') as period_from, to_char(h.period_to, 'YYYY-MM-DD') as period_to,
            h.reason, h.actor, h.placed_at::text, r.actor as released_by, r.reason as release_reason,
            r.released_at::text
       from legal_holds h left join legal_hold_releases r on r.legal_hold_id = h.id
      where ? or r.legal_hold_id is null
      order by h.id`,
    [options.all],
  );
  return (rows as Record<string, string | null>[]).map((row) => ({
    id: row.id!,
    scope: row.scope_kind as HoldScope,
    symbol: row.symbol ?? null,
    account: row.account ?? null,
    strategy: row.strategy ?? null,
    from: row.period_from ?? null,
    to: row.period_to ?? null,
    reason: row.reason!,
    placedBy: row.actor!,
    placedAt: instantFromDatabase(row.placed_at!),
    active: row.released_at === null,
    releasedBy: row.released_by ?? null,
    releaseReason: row.release_reason ?? null,
    releasedAt: row.released_at ? instantFromDatabase(row.released_at) : null,
  }));
}
