import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { DateTime } from '../../graphql/date-time.scalar';
import type { Instant } from '../../time/instant';
import type { HoldScope } from '../../entities/legal-hold.entity';

/** The GraphQL names of the hold scopes (the record's values, upper-cased). */
export const LegalHoldScope = {
  SYMBOL: 'symbol',
  ACCOUNT: 'account',
  STRATEGY: 'strategy',
  PERIOD: 'period',
} as const satisfies Record<string, HoldScope>;
registerEnumType(LegalHoldScope, {
  name: 'LegalHoldScope',
  description: 'What a legal hold keeps: the records of a symbol, an account, a strategy, or a period of UTC days.',
});

@ObjectType({
  description:
    'A legal hold: while active, no record in its scope is purged. Placed and released as appended records, ' +
    'each with its COMPLIANCE event.',
})
export class LegalHold {
  @Field(() => ID, { description: 'The hold, as `auditgraph hold release <id>` names it.' })
  id!: string;

  @Field(() => LegalHoldScope)
  scope!: HoldScope;

  @Field(() => String, { nullable: true, description: 'The held symbol (decisions and positions).' })
  symbol!: string | null;

  @Field(() => String, { nullable: true, description: 'The held account (its positions and their trades).' })
  account!: string | null;

  @Field(() => String, { nullable: true, description: 'The held strategy (its decisions).' })
  strategy!: string | null;

  @Field(() => String, { nullable: true, description: "A period's first UTC day, YYYY-MM-DD, included." })
  from!: string | null;

  @Field(() => String, { nullable: true, description: "A period's last UTC day, YYYY-MM-DD, included." })
  to!: string | null;

  @Field()
  reason!: string;

  @Field({ description: 'Who placed it.' })
  placedBy!: string;

  @Field(() => DateTime)
  placedAt!: Instant;

  @Field({ description: 'Not released.' })
  active!: boolean;

  @Field(() => String, { nullable: true })
  releasedBy!: string | null;

  @Field(() => String, { nullable: true })
  releaseReason!: string | null;

  @Field(() => DateTime, { nullable: true })
  releasedAt!: Instant | null;
}
