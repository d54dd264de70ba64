import { Entity, Index, OneToOne, Property } from '@mikro-orm/core';
import { type Instant, instantOf } from '../time/instant';
import { InstantType } from './instant.type';
import { ApiPayload } from './api-payload.entity';

/**
 * Where a payload body's archived copy is (issue 17): the archive file
 * (relative to the archive folder, so the mount may move), and the one frame
 * that holds it, so a read-back decrypts and gunzips that frame and nothing
 * more. Written in the transaction of its archive_written event, after the
 * file was read back and matched. Append-only: an archive is never rewritten.
 */
@Entity({ tableName: 'archived_bodies' })
@Index({ properties: ['archiveFile', 'frameNumber'] })
export class ArchivedBody {
  @OneToOne(() => ApiPayload, {
    primary: true,
    fieldName: 'api_payload_id',
    owner: true,
    deleteRule: 'restrict',
    updateRule: 'restrict',
  })
  apiPayload!: ApiPayload;

  /** e.g. `bodies/2024-05.agarch`. */
  @Property({ type: 'text' })
  archiveFile!: string;

  /** Byte offset of the frame's length prefix in the file. */
  @Property({ type: 'bigint' })
  frameOffset!: string;

  /** Bytes of the whole frame: length prefix, nonce, ciphertext, tag. */
  @Property({ type: 'integer' })
  frameLength!: number;

  /** The frame's place in its file, which its AAD binds it to. */
  @Property({ type: 'integer' })
  frameNumber!: number;

  /** Hex SHA-256 of the body's canonical JSON: the leaf's payloadSha256, as read back from the archive. */
  @Property({ type: 'text' })
  bodySha256!: string;

  @Property({ type: InstantType, defaultRaw: 'now()' })
  archivedAt: Instant = instantOf(new Date());
}
