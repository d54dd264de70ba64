import { Field, Float, ObjectType, registerEnumType } from 'type-graphql';
import { AuditEvent } from '../../entities';
import { Node } from '../../graphql/node.interface';
import { Connection } from '../../graphql/pagination/connection';

export enum SearchKind {
  PAYLOAD = 'PAYLOAD',
  DECISION = 'DECISION',
  EXECUTION = 'EXECUTION',
  AUDIT_EVENT = 'AUDIT_EVENT',
}
registerEnumType(SearchKind, {
  name: 'SearchKind',
  description:
    'PAYLOAD: API payload bodies and endpoints. DECISION: rationales, strategy and symbol. ' +
    'EXECUTION: broker error messages. ' +
    'AUDIT_EVENT: events about a lineage record — their event name, actor and the text of their data.',
});

@ObjectType({ description: 'One full-text match; its lineage is one field away through `node`.' })
export class SearchHit {
  @Field(() => SearchKind)
  kind!: SearchKind;

  @Field(() => Float, {
    description:
      'ts_rank of the match; hits are ordered by it, highest first, ' +
      'equal ranks by kind (decisions, executions, payloads, audit events) then id.',
  })
  rank!: number;

  @Field({ description: 'The matching text with the matched words between ** and **.' })
  snippet!: string;

  @Field(() => Node, {
    description: 'The record matched; for an AUDIT_EVENT hit, the lineage record the event is about.',
  })
  node!: Node;

  @Field(() => AuditEvent, { nullable: true, description: 'The event matched, for an AUDIT_EVENT hit; else null.' })
  auditEvent!: AuditEvent | null;
}

@ObjectType()
export class SearchHitConnection extends Connection(SearchHit, 'SearchHit') {}
