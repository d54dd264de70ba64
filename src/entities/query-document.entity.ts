import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { type Instant, instantOf } from '../time/instant';
import { InstantType } from './instant.type';

/** The text of each distinct GraphQL document the gateway was sent, by hash: the audit log keeps only the hash. */
@Entity({ tableName: 'query_documents' })
export class QueryDocument {
  /** SHA-256 of the document text, hex. */
  @PrimaryKey({ type: 'text' })
  queryHash!: string;

  @Property({ type: 'text' })
  document!: string;

  @Property({ type: InstantType, defaultRaw: 'now()' })
  firstSeenAt: Instant = instantOf(new Date());
}
