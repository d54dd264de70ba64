import type { EntityManager } from '@mikro-orm/postgresql';
import { GraphQLDateTime } from 'graphql-scalars';
import { Field, Int, ObjectType } from 'type-graphql';
import { instantsPeriod } from './period';

@ObjectType({ description: 'API responses with one provider, endpoint and error status.' })
export class ApiErrorGroup {
  @Field() provider!: string;
  @Field() endpoint!: string;
  @Field(() => Int) httpStatus!: number;
  @Field(() => Int) count!: number;
  @Field(() => GraphQLDateTime) firstSeen!: Date;
  @Field(() => GraphQLDateTime) lastSeen!: Date;
}

type Row = Omit<ApiErrorGroup, 'firstSeen' | 'lastSeen'> & { firstSeen: Date | string; lastSeen: Date | string };

/** Responses with status ≥ 400 in `[since, until)`, grouped; one statement on the `(created_at, id)` index. */
export async function apiErrors(em: EntityManager, params: { since: Date; until: Date }): Promise<ApiErrorGroup[]> {
  const { from, until } = instantsPeriod(params.since, params.until);
  const rows = await em.getConnection().execute<Row[]>(
    `select provider, endpoint, http_status as "httpStatus", count(*)::int as count, min(created_at) as "firstSeen", max(created_at) as "lastSeen"
       from api_payloads
      where created_at >= ? and created_at < ? and direction = 'response' and http_status >= 400
      group by provider, endpoint, http_status
      order by count desc, provider, endpoint, http_status`,
    [from.toISOString(), until.toISOString()],
  );
  return rows.map((row) => ({ ...row, firstSeen: new Date(row.firstSeen), lastSeen: new Date(row.lastSeen) }));
}
