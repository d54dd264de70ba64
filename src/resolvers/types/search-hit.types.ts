import { Field, Float, ObjectType, registerEnumType } from 'type-graphql';
import { Node } from '../../graphql/node.interface';
import { Connection } from '../../graphql/pagination/connection';

export enum SearchKind {
  PAYLOAD = 'PAYLOAD',
  DECISION = 'DECISION',
  EXECUTION = 'EXECUTION',
}
registerEnumType(SearchKind, {
  name: 'SearchKind',
  description:
    'PAYLOAD: API payload bodies and endpoints. DECISION: rationales, strategy and symbol. ' +
    'EXECUTION: broker error messages.',
});

@ObjectType({ description: 'One full-text match; its lineage is one field away through `node`.' })
export class SearchHit {
  @Field(() => SearchKind)
  kind!: SearchKind;

  @Field(() => Float, {
    description:
      'ts_rank of the match; hits are ordered by it, highest first, ' +
      'equal ranks by kind (decisions, executions, payloads) then id.',
  })
  rank!: number;

  @Field({ description: 'The matching text with the matched words between ** and **.' })
  snippet!: string;

  @Field(() => Node)
  node!: Node;
}

@ObjectType()
export class SearchHitConnection extends Connection(SearchHit, 'SearchHit') {}
