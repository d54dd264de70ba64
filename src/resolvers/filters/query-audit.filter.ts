import { DateTime } from '../../graphql/date-time.scalar';
import type { Instant } from '../../time/instant';
import type { FilterQuery } from '@mikro-orm/postgresql';
import { Field, InputType } from 'type-graphql';
import { type QueryAuditEntry, QueryOutcome } from '../../entities/query-audit-entry.entity';
import { timeWindow } from '../../graphql/arguments';
import { BadInputError } from '../../base/errors';

const MAX_MENTION_LENGTH = 200;

@InputType({ description: 'Filters for the query audit log; all given conditions must hold.' })
export class QueryAuditFilter {
  @Field(() => String, {
    nullable: true,
    description: 'The operation of this request id (the X-Request-Id response header).',
  })
  requestId?: string | null;

  @Field(() => String, { nullable: true, description: 'Operations made with the key of this name.' })
  keyName?: string | null;

  @Field(() => String, { nullable: true })
  operationName?: string | null;

  @Field(() => QueryOutcome, { nullable: true })
  outcome?: QueryOutcome | null;

  @Field(() => DateTime, { nullable: true, description: 'Started at or after this instant.' })
  startedFrom?: Instant | null;

  @Field(() => DateTime, { nullable: true, description: 'Started before this instant.' })
  startedTo?: Instant | null;

  @Field(() => String, {
    nullable: true,
    description:
      'Operations whose variables hold this exact value (e.g. a global id or a decisionId), ' +
      'or whose document contains this text: ' +
      '"who looked at decision X?"',
  })
  mentions?: string | null;
}

export function queryAuditWhere(filter: QueryAuditFilter | null | undefined): FilterQuery<QueryAuditEntry> {
  if (!filter) return {};
  return {
    ...(filter.requestId != null ? { requestId: filter.requestId } : {}),
    ...(filter.keyName != null ? { apiKey: { name: filter.keyName } } : {}),
    ...(filter.operationName != null ? { operationName: filter.operationName } : {}),
    ...(filter.outcome != null ? { outcome: filter.outcome } : {}),
    ...timeWindow('startedAt', filter.startedFrom, filter.startedTo, 'started'),
  } as FilterQuery<QueryAuditEntry>;
}

/**
 * `mentions` as SQL: a variable value anywhere in the variables (a jsonpath
 * equality, the value bound as a jsonpath variable, never spliced), or a
 * substring of the stored document (LIKE with its wildcards escaped).
 */
export function mentionConditions(filter: QueryAuditFilter | null | undefined): { sql: string; params: unknown[] }[] {
  const mention = filter?.mentions;
  if (mention == null) return [];
  if (mention.trim() === '' || mention.length > MAX_MENTION_LENGTH || mention.includes('\u0000')) {
    throw new BadInputError(`\`mentions\` must be 1 to ${MAX_MENTION_LENGTH} characters of text`, 'filter.mentions');
  }
  const pattern = `%${mention.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
  return [
    {
      sql: `(jsonb_path_exists(n.variables, ?::jsonpath, jsonb_build_object('value', ?::text))
             or exists (select 1 from query_documents d where d.query_hash = n.query_hash and d.document like ?))`,
      params: ['strict $.** ? (@ == $value)', mention, pattern],
    },
  ];
}
