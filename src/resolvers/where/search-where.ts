import { Field, InputType } from 'type-graphql';
import type { SearchKind } from '../../queries/search';
import type { WhereTree } from '../../queries/where-conditions';
import { ApiPayloadWhere, AuditEventWhere, TradeDecisionWhere, TradeExecutionWhere } from './list-wheres';

/** The field of SearchWhere that narrows each kind. */
export const SEARCH_WHERE_FIELDS = {
  DECISION: 'decision',
  EXECUTION: 'execution',
  PAYLOAD: 'payload',
  AUDIT_EVENT: 'auditEvent',
} as const satisfies Record<SearchKind, string>;

const narrows = (records: string) => `Only ${records} that also match this, as the list's own where: would have them.`;

@InputType({
  description:
    'Narrows the hits of each kind by the where: of its list (same fields, operators and integrity predicates): ' +
    '"buying power" for one symbol, status, strategy or time is one search. A kind given no condition here is ' +
    'not narrowed; when `kinds` is not given, only the kinds named here are searched.',
})
export class SearchWhere {
  @Field(() => TradeDecisionWhere, { nullable: true, description: narrows('decisions') })
  decision?: WhereTree | null;

  @Field(() => TradeExecutionWhere, { nullable: true, description: narrows('executions') })
  execution?: WhereTree | null;

  @Field(() => ApiPayloadWhere, { nullable: true, description: narrows('API payloads') })
  payload?: WhereTree | null;

  @Field(() => AuditEventWhere, { nullable: true, description: narrows('audit events') })
  auditEvent?: WhereTree | null;
}
