import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/** The text of each distinct GraphQL document the gateway was sent, by hash: the audit log keeps only the hash. */
@Entity({ tableName: 'query_documents' })
export class QueryDocument {
  /** SHA-256 of the document text, hex. */
  @PrimaryKey({ type: 'text' })
  queryHash!: string;

  @Property({ type: 'text' })
  document!: string;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  firstSeenAt: Date = new Date();
}
