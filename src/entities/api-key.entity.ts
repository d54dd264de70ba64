import { Entity, Enum, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { DateTime } from '../graphql/date-time.scalar';
import { type Instant, instantOf } from '../time/instant';
import { InstantType } from './instant.type';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';

/** What an API key is for. A key has exactly one role; a person or tool needing two gets two keys. */
export enum Role {
  /** Reads the lineage, searches it and runs the audit reports. */
  investigator = 'investigator',
  /** What an investigator may, plus the quarterly integrity audit (and, later, chain verification). */
  integrity = 'integrity',
  /** A producing system: appends records, reads nothing. */
  writer = 'writer',
  /** Everything, including the query audit log. */
  admin = 'admin',
  /** Reads everything an admin reads and certifies days (attestations); never writes lineage records. */
  compliance = 'compliance',
}
registerEnumType(Role, { name: 'Role', description: 'The role an API key was issued with.' });

export const ROLES = Object.values(Role);

/**
 * An API key. Only a SHA-256 of the secret is kept: the secret is 256 random
 * bits, so a fast hash is as safe as a slow one and lets every request be
 * checked with one index lookup. `prefix` (the secret's first characters)
 * tells keys apart in listings without revealing them.
 */
@ObjectType({ description: 'An API key, as admins see it: never its secret.' })
@Entity({ tableName: 'api_keys' })
@Index({ properties: ['createdAt'] })
@Index({
  // A name is unique among current keys (live, not replaced), so a revoked key's name can be issued again
  // and a rotated key's name is its successor's while the old secret lives out its grace period.
  name: 'api_keys_current_name_unique',
  expression:
    'create unique index "api_keys_current_name_unique" on "api_keys" ("name") ' +
    'where "revoked_at" is null and "replaced_by" is null',
})
export class ApiKey {
  [OptionalProps]?: 'createdAt' | 'expiresAt' | 'revokedAt' | 'replacedBy' | 'lastUsedAt';

  @Field(() => ID)
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  /** Unique among current keys (see the partial index above). */
  @Field()
  @Property({ type: 'text' })
  name!: string;

  @Field(() => Role)
  @Enum({ items: () => Role, type: 'text' })
  role!: Role;

  @Property({ type: 'text', unique: true })
  secretHash!: string;

  @Field({ description: 'The first characters of the secret, to recognise it by.' })
  @Property({ type: 'text' })
  prefix!: string;

  @Field(() => DateTime)
  @Property({ type: InstantType, defaultRaw: 'now()' })
  createdAt: Instant = instantOf(new Date());

  @Field(() => DateTime, { nullable: true })
  @Property({ type: InstantType, nullable: true })
  expiresAt: Instant | null = null;

  @Field(() => DateTime, { nullable: true })
  @Property({ type: InstantType, nullable: true })
  revokedAt: Instant | null = null;

  /** The key that replaced this one (`keys rotate`): this one then ends at its `expiresAt`, the grace period's end. */
  @Field(() => ID, { nullable: true, description: 'The key that replaced this one when it was rotated.' })
  @Property({ type: 'bigint', nullable: true })
  replacedBy: string | null = null;

  /** From the query audit log, where listings ask for it; not a column. */
  @Field(() => DateTime, { nullable: true, description: 'When the key was last used (from the query audit log).' })
  @Property({ persist: false })
  lastUsedAt?: Instant | null;
}
