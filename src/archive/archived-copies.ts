import path from 'node:path';
import type { Knex } from '@mikro-orm/postgresql';
import { canonicalSha256 } from '../integrator/canonical-json';
import { parseExactJson } from '../json/exact-json';
import { type ArchiveLine, readFrame } from './archive-file';
import type { ArchiveSettings } from './archive-settings';

/** A body the purge would remove: its payload id and its canonical SHA-256 as the database holds it now. */
export type BodyInDatabase = { key: string; sha256: string };

/** Why bodies stay: counted per reason, with the first few messages naming files and frames. */
export type CopiesRefused = {
  notArchived: number;
  archiveUnreadable: number;
  archiveMismatch: number;
  reasons: string[];
};

export const noCopiesRefused = (): CopiesRefused => ({
  notArchived: 0,
  archiveUnreadable: 0,
  archiveMismatch: 0,
  reasons: [],
});

const MAX_REASONS = 10;
const note = (refused: CopiesRefused, reason: string) => {
  if (refused.reasons.length < MAX_REASONS && !refused.reasons.includes(reason)) refused.reasons.push(reason);
};

/** An archived_bodies row as the readers use it: the payload id and where its frame is. */
export type ArchiveIndexRow = {
  key: string;
  archive_file: string;
  frame_offset: string;
  frame_length: number;
  frame_number: number;
  body_sha256: string;
};

/** Index rows of `keys`, by payload id. */
export async function archivedRowsOf(knex: Knex, keys: readonly string[]): Promise<Map<string, ArchiveIndexRow>> {
  const { rows } = (await knex.raw(
    `select api_payload_id::text as key, archive_file, frame_offset::text, frame_length, frame_number, body_sha256
       from archived_bodies where api_payload_id = any(?::bigint[])`,
    [[...keys]],
  )) as { rows: ArchiveIndexRow[] };
  return new Map(rows.map((row) => [row.key, row]));
}

/** The frame an index row points at, the key its read is shared by. */
export const frameKeyOf = (row: Pick<ArchiveIndexRow, 'archive_file' | 'frame_number'>) =>
  `${row.archive_file}\u0000${row.frame_number}`;

/** Reads the frame of an index row: one read, decrypt, gunzip. */
export const readIndexedFrame = (settings: ArchiveSettings, row: ArchiveIndexRow): Promise<ArchiveLine[]> =>
  readFrame(
    path.join(settings.dir, row.archive_file),
    { number: row.frame_number, offset: Number(row.frame_offset), length: row.frame_length },
    settings.key,
  );

/** Whether an archived line holds exactly the body of `sha256`: its stated hash, and the hash of its own text. */
export const lineHoldsBody = (line: ArchiveLine | undefined, sha256: string): boolean =>
  line !== undefined &&
  line.sha256 === sha256 &&
  typeof line.body === 'string' &&
  canonicalSha256(parseExactJson(line.body)) === sha256;

/**
 * The purge's gate: of `bodies`, those whose archived copy is indexed, read
 * back now (one read per frame, whatever the number of its bodies) and holds
 * the database body's canonical SHA-256. The others are counted by why they
 * stay: not archived, archive unreadable (missing, changed, other key, no
 * archive configured), or a copy that does not match.
 */
export async function verifiedArchivedCopies(
  knex: Knex,
  bodies: readonly BodyInDatabase[],
  settings: ArchiveSettings | null,
  refused: CopiesRefused,
): Promise<Set<string>> {
  const verified = new Set<string>();
  const index = await archivedRowsOf(
    knex,
    bodies.map(({ key }) => key),
  );
  const frames = new Map<string, Promise<Map<string, ArchiveLine> | Error>>();
  for (const body of bodies) {
    const row = index.get(body.key);
    if (!row) {
      refused.notArchived++;
      continue;
    }
    if (!settings) {
      refused.archiveUnreadable++;
      note(
        refused,
        'no archive configured (AUDITGRAPH_ARCHIVE_DIR and AUDITGRAPH_ARCHIVE_KEY_FILE): no copy can be read back',
      );
      continue;
    }
    const frameKey = frameKeyOf(row);
    if (!frames.has(frameKey))
      frames.set(
        frameKey,
        readIndexedFrame(settings, row).then(
          (lines) => new Map(lines.map((line) => [line.key, line])),
          (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
        ),
      );
    const lines = await frames.get(frameKey)!;
    if (lines instanceof Error) {
      refused.archiveUnreadable++;
      note(refused, lines.message);
    } else if (row.body_sha256 !== body.sha256 || !lineHoldsBody(lines.get(body.key), body.sha256)) {
      refused.archiveMismatch++;
      note(
        refused,
        `payload ${body.key}: its archived copy in ${row.archive_file} frame ${row.frame_number} does not match the body`,
      );
    } else verified.add(body.key);
  }
  return verified;
}
