import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import type { Config } from '../base/config';
import { logger } from '../base/logger';
import { ArchivedBodyUnavailableError } from '../archive/archived-body-unavailable';
import type { ArchiveLine } from '../archive/archive-file';
import { readArchiveKey } from '../archive/archive-key';
import { type ArchiveIndexRow, frameKeyOf, readIndexedFrame } from '../archive/archived-copies';
import { recordBatch } from '../metrics/dataloader-metrics';

/** Where a payload's body is: in its row, in the archive (its index row), or gone with only its hash left. */
export type PayloadStorage = { purged: boolean; archived: ArchiveIndexRow | null };

/** Of a level's payloads without a body: whether each was purged and where its archived copy is, in one statement. */
export const payloadStorageOf = (em: EntityManager) =>
  new DataLoader<string, PayloadStorage>(async (ids) => {
    recordBatch('ApiPayload.payloadStorage', ids.length);
    const { rows } = (await em.getKnex().raw(
      `select p.id::text as id, t.api_payload_id is not null as purged,
              a.api_payload_id::text as key, a.archive_file, a.frame_offset::text, a.frame_length, a.frame_number,
              a.body_sha256
         from unnest(?::bigint[]) as p(id)
         left join api_payload_tombstones t on t.api_payload_id = p.id
         left join archived_bodies a on a.api_payload_id = p.id`,
      [[...ids]],
    )) as { rows: (ArchiveIndexRow & { id: string; purged: boolean })[] };
    const byId = new Map(
      rows.map(({ id, purged, ...row }) => [id, { purged, archived: row.key === null ? null : row }] as const),
    );
    return ids.map((id) => byId.get(id) ?? { purged: false, archived: null });
  });

export type ArchiveReadSettings = Pick<Config, 'archiveDir' | 'archiveKeyFile'>;

/**
 * The lines of archive frames, batched by frame: however many purged bodies
 * a request reads, each frame is read, decrypted and gunzipped once, and
 * never more than that frame of its month. The key is read once per request,
 * on the first frame asked for.
 */
export function archiveFramesOf(settings: ArchiveReadSettings) {
  let key: ReturnType<typeof readArchiveKey> | undefined;
  return new DataLoader<ArchiveIndexRow, Map<string, ArchiveLine>, string>(
    (rows) => {
      recordBatch('ApiPayload.archiveFrame', rows.length);
      return Promise.all(
        rows.map(async (row) => {
          const where = `${row.archive_file} frame ${row.frame_number}`;
          try {
            if (!settings.archiveDir) throw new Error('AUDITGRAPH_ARCHIVE_DIR is not set');
            key ??= readArchiveKey(settings.archiveKeyFile);
            const lines = await readIndexedFrame({ dir: settings.archiveDir, key: await key }, row);
            return new Map(lines.map((line) => [line.key, line]));
          } catch (error) {
            logger.warn(
              { err: error, archiveFile: row.archive_file, frame: row.frame_number },
              'archive read-back failed',
            );
            return new ArchivedBodyUnavailableError(`the archived copy in ${where} cannot be read back now`);
          }
        }),
      );
    },
    { cacheKeyFn: frameKeyOf },
  );
}
