import { Entity, OneToOne, Property } from '@mikro-orm/core';
import { type Instant, instantOf } from '../time/instant';
import { InstantType } from './instant.type';
import { ApiPayload } from './api-payload.entity';

/**
 * What is left of an API payload body the retention purge removed: its hash
 * and size. The payload row stays (lineage stays whole) and its record hash
 * is recomputed from this body hash, so the chain still verifies.
 */
@Entity({ tableName: 'api_payload_tombstones' })
export class PayloadTombstone {
  @OneToOne(() => ApiPayload, {
    primary: true,
    fieldName: 'api_payload_id',
    owner: true,
    deleteRule: 'restrict',
    updateRule: 'restrict',
  })
  apiPayload!: ApiPayload;

  /** SHA-256 of the body's canonical text, as the record hash used it. */
  @Property({ type: 'bytea' })
  bodyHash!: Buffer;

  @Property({ type: 'integer' })
  bodyBytes!: number;

  /**
   * Hex SHA-256 of the body's canonical JSON: the `payloadSha256` of the
   * payload's Merkle leaf, so a purged payload's leaf is still recomputed
   * (verify --full) and its record still proves. Null for bodies purged
   * before the tree existed: their leaves were made from the purged row.
   */
  @Property({ type: 'text', nullable: true })
  bodySha256: string | null = null;

  @Property({ type: InstantType, defaultRaw: 'now()' })
  purgedAt: Instant = instantOf(new Date());
}
