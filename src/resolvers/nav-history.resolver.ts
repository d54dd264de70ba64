import { Arg, Authorized, Ctx, Field, ObjectType, Query, Resolver } from 'type-graphql';
import { Permission } from '../auth/roles';
import { BadInputError } from '../base/errors';
import { AuditEvent } from '../entities';
import { DateTime } from '../graphql/date-time.scalar';
import { Decimal } from '../graphql/decimal.scalar';
import { MAX_NAV_POINTS, navHistory } from '../queries/nav-history';
import { compareInstants, type Instant } from '../time/instant';
import type { Context } from './context';

@ObjectType({ description: "One point of the book's net asset value history: a NAV-log event that states it." })
export class NavPoint {
  @Field(() => Decimal, { description: "The event's `nav`, with its own digits." })
  nav!: string;

  @Field(() => DateTime)
  occurredAt!: Instant;

  @Field(() => AuditEvent, {
    description: 'The event itself (position_snapshot, nav_calculated, …) with all it holds.',
  })
  event!: AuditEvent;
}

@Authorized(Permission.readLineage)
@Resolver()
export class NavHistoryResolver {
  @Query(() => [NavPoint], {
    description:
      'Net asset value over [from, to), oldest first: every NAV-log event stating a numeric `nav` ' +
      "(the import's position_snapshot of each trading cycle, a producer's nav_calculated). " +
      `At most ${MAX_NAV_POINTS} points: more is refused with RESULT_TOO_LARGE, never cut.`,
  })
  navHistory(
    @Arg('from', () => DateTime, { description: 'Included.' }) from: Instant,
    @Arg('to', () => DateTime, { description: 'Excluded.' }) to: Instant,
    @Ctx() { em }: Context,
  ) {
    if (compareInstants(from, to) >= 0) throw new BadInputError('`from` must be before `to`', 'from');
    return navHistory(em, from, to);
  }
}
