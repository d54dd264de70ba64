import { Check, Entity, Enum, PrimaryKey, Property } from '@mikro-orm/core';
import { type Instant, instantOf } from '../time/instant';
import { InstantType } from './instant.type';

/** What a legal hold keeps: the records of a symbol, an account, a strategy, or of a period of UTC days. */
export const HOLD_SCOPES = ['symbol', 'account', 'strategy', 'period'] as const;
export type HoldScope = (typeof HOLD_SCOPES)[number];

/** The most characters a hold's reason, or its release's, may have (as PostgreSQL's length() counts). */
export const HOLD_REASON_MAX_LENGTH = 2_000;
/** The most characters a held symbol, account or strategy may have. */
export const HOLD_NAME_MAX_LENGTH = 200;

/**
 * Exactly the column of its scope is set (a period: both days, in order);
 * `else false` and the coalesce because a CHECK passes on null.
 */
const SCOPE_COLUMNS = `coalesce(case scope_kind
  when 'symbol' then symbol is not null and num_nonnulls(account, strategy, period_from, period_to) = 0
  when 'account' then account is not null and num_nonnulls(symbol, strategy, period_from, period_to) = 0
  when 'strategy' then strategy is not null and num_nonnulls(symbol, account, period_from, period_to) = 0
  when 'period' then period_from <= period_to and num_nonnulls(symbol, account, strategy) = 0
  else false end, false)`;

/**
 * A legal hold (issue 17): while it is active, no record in its scope is
 * deleted — the retention purge keeps every payload body the hold reaches
 * through the lineage (src/retention/legal-holds.ts). Append-only: releasing
 * a hold appends a LegalHoldRelease, and placing and releasing each append
 * a COMPLIANCE event in the same transaction.
 */
@Entity({ tableName: 'legal_holds' })
@Check({ name: 'legal_holds_scope_columns', expression: SCOPE_COLUMNS })
@Check({
  name: 'legal_holds_reason_length',
  expression: `(length(reason) >= 1) AND (length(reason) <= ${HOLD_REASON_MAX_LENGTH})`,
})
@Check({
  name: 'legal_holds_name_length',
  expression: `length(coalesce(symbol, account, strategy, 'x')) between 1 and ${HOLD_NAME_MAX_LENGTH}`,
})
export class LegalHold {
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @Enum({ items: [...HOLD_SCOPES], type: 'text' })
  scopeKind!: HoldScope;

  @Property({ type: 'text', nullable: true })
  symbol: string | null = null;

  @Property({ type: 'text', nullable: true })
  account: string | null = null;

  @Property({ type: 'text', nullable: true })
  strategy: string | null = null;

  /** The period's first UTC day, inclusive. */
  @Property({ type: 'string', columnType: 'date', nullable: true })
  periodFrom: string | null = null;

  /** The period's last UTC day, inclusive. */
  @Property({ type: 'string', columnType: 'date', nullable: true })
  periodTo: string | null = null;

  @Property({ type: 'text' })
  reason!: string;

  /** Who placed it. */
  @Property({ type: 'text' })
  actor!: string;

  @Property({ type: InstantType, defaultRaw: 'now()' })
  placedAt: Instant = instantOf(new Date());
}
