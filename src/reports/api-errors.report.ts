import type { EntityManager } from '@mikro-orm/postgresql';
import { Field, Int, ObjectType } from 'type-graphql';
import { instantsPeriod } from './period';
import { DateTime } from '../graphql/date-time.scalar';
import { type Instant, instantFromDatabase } from '../time/instant';

@ObjectType({ description: 'API responses with one provider, endpoint and error status.' })
export class ApiErrorGroup {
  @Field() provider!: string;
  @Field() endpoint!: string;
  @Field(() => Int) httpStatus!: number;
  @Field(() => Int) count!: number;
  @Field(() => DateTime) firstSeen!: Instant;
  @Field(() => DateTime) lastSeen!: Instant;
}

type Row = Omit<ApiErrorGroup, 'firstSeen' | 'lastSeen'> & { firstSeen: string; lastSeen: string };

/** Responses with status ≥ 400 in `[since, until)`, grouped; one statement on the `(created_at, id)` index. */
export async function apiErrors(
  em: EntityManager,
  params: { since: Instant; until: Instant },
): Promise<ApiErrorGroup[]> {
  const { from, until } = instantsPeriod(params.since, params.until);
  const rows = await em.getConnection().execute<Row[]>(
    `select provider, endpoint, http_status as "httpStatus", count(*)::int as count,
            min(created_at) as "firstSeen", max(created_at) as "lastSeen"
       from api_payloads
      where created_at >= ? and created_at < ? and direction = 'response' and http_status >= 400
      group by provider, endpoint, http_status
      order by count desc, provider, endpoint, http_status`,
    [from, until],
  );
  return rows.map((row) => ({
    ...row,
    firstSeen: instantFromDatabase(row.firstSeen),
    lastSeen: instantFromDatabase(row.lastSeen),
  }));
}
