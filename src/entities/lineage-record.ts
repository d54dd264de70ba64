import { OptionalProps, PrimaryKey } from '@mikro-orm/core';
import { Field, ID, ObjectType } from 'type-graphql';
import { toGlobalId } from '../graphql/global-id';
import { RecordedXid } from './recorded-xid';

/**
 * What every lineage table shares: a bigint primary key, exposed to GraphQL
 * as an opaque global `id` and as `databaseId`. Entity class names are the
 * GraphQL type names, which the global id records.
 */
@ObjectType()
export abstract class LineageRecord {
  // Derived, never written: MikroORM must not ask for them in em.create().
  [OptionalProps]?: 'nodeId' | 'databaseId';

  /** The row id (bigint, as a string: JavaScript numbers lose precision past 2^53). */
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  /** The writer's transaction id, filled by the database (see recorded-xid.ts). */
  @RecordedXid()
  recordedXid?: string;

  @Field(() => ID, { name: 'id', description: "Opaque global id; pass it to node(id:) or to this type's own lookup." })
  get nodeId(): string {
    return toGlobalId(this.constructor.name, this.id);
  }

  @Field({ description: 'The row id in PostgreSQL, for SQL and scripts.' })
  get databaseId(): string {
    return this.id;
  }
}
