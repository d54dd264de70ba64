import { Check, Entity, OneToOne, Property } from '@mikro-orm/core';
import { type Instant, instantOf } from '../time/instant';
import { InstantType } from './instant.type';
import { HOLD_REASON_MAX_LENGTH, LegalHold } from './legal-hold.entity';

/**
 * The release of a legal hold: appended, never an update of the hold, so
 * the record shows that the hold was there, who lifted it, when and why. At
 * most one per hold (its primary key).
 */
@Entity({ tableName: 'legal_hold_releases' })
@Check({
  name: 'legal_hold_releases_reason_length',
  expression: `(length(reason) >= 1) AND (length(reason) <= ${HOLD_REASON_MAX_LENGTH})`,
})
export class LegalHoldRelease {
  @OneToOne(() => LegalHold, {
    primary: true,
    fieldName: 'legal_hold_id',
    owner: true,
    deleteRule: 'restrict',
    updateRule: 'restrict',
  })
  legalHold!: LegalHold;

  @Property({ type: 'text' })
  reason!: string;

  /** Who released it. */
  @Property({ type: 'text' })
  actor!: string;

  @Property({ type: InstantType, defaultRaw: 'now()' })
  releasedAt: Instant = instantOf(new Date());
}
