import { Arg, Authorized, Ctx, FieldResolver, Int, Query, Resolver, Root } from 'type-graphql';
import { Permission } from '../auth/roles';
import type { Context } from './context';
import { BadInputError } from '../base/errors';
import { toGlobalId } from '../graphql/global-id';
import { Node } from '../graphql/node.interface';
import { IntegrityItem, IntegrityReport, integrityReport } from '../reports/integrity.report';
import { daysPeriod, quarterPeriod } from '../reports/period';
import { DAYS_RANGE, QUARTERS_RANGE } from '../time/instant';
import { loadNode } from './node.resolver';
import { TimeZone } from '../graphql/time-zone.scalar';
import { timeZoneOf } from '../time/time-zone';
import { TIME_ZONE_ARGUMENT } from './time-zone-argument';

// Reading the findings is an investigator's question too; verifying the chain stays the integrity role's.
@Authorized(Permission.readIntegrityReport)
@Resolver(() => IntegrityItem)
export class IntegrityResolver {
  @Query(() => IntegrityReport, {
    description:
      'The quarterly data-integrity audit over records created in a quarter (`quarter: "2026Q3"`) ' +
      'or between two days (`from`/`to`, included).',
  })
  integrityReport(
    @Arg('quarter', () => String, {
      nullable: true,
      description: `A calendar quarter such as 2026Q3, ${QUARTERS_RANGE}, of UTC or of timeZone.`,
    })
    quarter: string | null,
    @Arg('from', () => String, {
      nullable: true,
      description: `A day, YYYY-MM-DD, ${DAYS_RANGE}, of UTC or of timeZone.`,
    })
    from: string | null,
    @Arg('to', () => String, {
      nullable: true,
      description: `A day, YYYY-MM-DD, ${DAYS_RANGE}, of UTC or of timeZone; included.`,
    })
    to: string | null,
    @Arg('timeZone', () => TimeZone, TIME_ZONE_ARGUMENT) timeZone: string | null,
    @Arg('limit', () => Int, {
      nullable: true,
      description: 'Most items listed per check (default 100); counts are always complete.',
    })
    limit: number | null,
    @Ctx() { em }: Context,
  ): Promise<IntegrityReport> {
    // Omitted arguments arrive as undefined, explicit nulls as null: `== null` covers both.
    if (quarter != null && (from != null || to != null))
      throw new BadInputError('pass either `quarter` or `from` and `to`, not both', 'quarter');
    if (quarter == null && (from == null || to == null))
      throw new BadInputError('pass `quarter`, or both `from` and `to`', from == null ? 'from' : 'to');
    const zone = timeZoneOf(timeZone, 'timeZone');
    const period = quarter != null ? quarterPeriod(quarter, zone) : daysPeriod(from!, to!, zone);
    return integrityReport(em, period, { limit });
  }

  @FieldResolver(() => String, { description: 'Its global id.' })
  id(@Root() item: IntegrityItem): string {
    return toGlobalId(item.type, item.databaseId);
  }

  @FieldResolver(() => Node, { nullable: true, description: 'The flagged record, to walk its lineage from.' })
  node(@Root() item: IntegrityItem, @Ctx() { loaders }: Context): Promise<Node | null> {
    return loadNode(loaders, item.type, item.databaseId);
  }
}
