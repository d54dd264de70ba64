import type { EntityManager, Knex } from '@mikro-orm/postgresql';
import { BadInputError } from '../base/errors';
import { canonicalSha256 } from '../integrator/canonical-json';
import { parseExactJson } from '../json/exact-json';
import { LogType } from '../entities/audit-event.entity';
import { appendEvent } from '../record/append-event';
import { inWriteTransaction } from '../record/write-transaction';
import { payloadUnderHoldSql } from './legal-holds';
import { type CopiesRefused, noCopiesRefused, verifiedArchivedCopies } from '../archive/archived-copies';
import type { ArchiveSettings } from '../archive/archive-settings';

/** SEC 204-2 style: the first two years stay immediately accessible. */
export const MIN_RETENTION_DAYS = 730;
const DAY_MS = 86_400_000;

export type RetentionWindow = { days: number; cutoff: Date };

/** `730d` → a window ending `days` before `now`. Shorter than two years only when asked for explicitly. */
export function retentionWindow(
  raw: string,
  options: { allowShort?: boolean; allowNow?: boolean; now?: Date } = {},
): RetentionWindow {
  const match = /^(\d{1,6})d$/.exec(raw.trim());
  if (!match)
    throw new BadInputError(
      `--older-than must be a number of days such as 730d; got ${JSON.stringify(raw)}`,
      'older-than',
    );
  const days = Number(match[1]);
  // A copy may be taken of everything up to now (0d); a purge must leave a day at least.
  if (days < 1 && !options.allowNow) throw new BadInputError('--older-than must be at least 1d', 'older-than');
  if (days < MIN_RETENTION_DAYS && !options.allowShort) {
    throw new BadInputError(
      `--older-than ${days}d is inside the ${MIN_RETENTION_DAYS}-day window records must stay accessible; ` +
        'pass --allow-short-window to purge anyway',
      'older-than',
    );
  }
  return { days, cutoff: new Date((options.now ?? new Date()).getTime() - days * DAY_MS) };
}

export type PurgeSummary = {
  olderThanDays: number;
  cutoff: string;
  executed: boolean;
  /** Payload bodies removed (or, in a dry run, that would be). */
  payloads: number;
  /** Bytes of body text freed (or that would be). */
  bodyBytes: number;
  /** Bodies past the window kept because a legal hold reaches them. */
  heldBack: number;
  /** The COMPLIANCE event that records an executed purge. */
  eventSeq: string | null;
  /** Bodies past the window kept, and why: no archived copy, or one that could not be read back and matched. */
  kept: CopiesRefused;
};

/** Bodies read into memory at a time while their canonical hashes are computed. */
const PURGE_CHUNK = 1_000;

/**
 * One chunk of the bodies past the window, in id order: each row's hold
 * predicate is evaluated once, in the lateral join, and decides both whether
 * the body is read (held bodies are not) and the summary's heldBack count.
 * Ordered by the column, not by its text (an output column named id would
 * sort '10' before '9'). Built on first use: the predicate reads entity metadata.
 */
const pastWindowChunk = () =>
  `select p.id::text as key, h.held, case when h.held then null else p.payload::text end as body
     from api_payloads p cross join lateral (select ${payloadUnderHoldSql('p')} as held) h
    where p.created_at < ? and p.payload is not null and p.id > ?
    order by p.id limit ${PURGE_CHUNK}`;

/** A chunk's purgeable bodies, and how many past the window a legal hold kept. */
type PurgeChunk = { bodies: { key: string; sha256: string; bytes: number }[]; heldBack: number };

/**
 * The bodies older than the cutoff a chunk at a time in id order, each
 * with the hex SHA-256 of its canonical JSON — the `payloadSha256` of the
 * payload's Merkle leaf, computed by the leaf encoding's own function
 * (src/integrator/canonical-json) — narrowed to those no legal hold keeps and
 * whose archived copy was read back and matched just now
 * (src/archive/archived-copies.ts).
 */
async function* purgeableChunks(
  knex: Knex,
  cutoff: Date,
  archive: ArchiveSettings | null,
  kept: CopiesRefused,
): AsyncGenerator<PurgeChunk> {
  for (let after = '0'; ;) {
    const { rows } = (await knex.raw(pastWindowChunk(), [cutoff, after])) as {
      rows: { key: string; held: boolean; body: string | null }[];
    };
    if (rows.length === 0) return;
    const bodies = rows.flatMap(({ key, held, body }) =>
      held || body === null
        ? []
        : [{ key, sha256: canonicalSha256(parseExactJson(body)), bytes: Buffer.byteLength(body) }],
    );
    const verified = await verifiedArchivedCopies(knex, bodies, archive, kept);
    yield { bodies: bodies.filter(({ key }) => verified.has(key)), heldBack: rows.length - bodies.length };
    after = rows[rows.length - 1]!.key;
  }
}

/**
 * Tombstones for the purgeable bodies: the legacy chain's body hash and the
 * size, computed by PostgreSQL, and the canonical SHA-256, so that verify
 * --full recomputes the leaf of the purged row and its inclusion proof still holds.
 */
async function writeTombstones(
  trx: Knex.Transaction,
  cutoff: Date,
  archive: ArchiveSettings | null,
  kept: CopiesRefused,
): Promise<{ payloads: number; bytes: number; heldBack: number }> {
  let payloads = 0;
  let bytes = 0;
  let heldBack = 0;
  for await (const { bodies, heldBack: held } of purgeableChunks(trx, cutoff, archive, kept)) {
    heldBack += held;
    if (bodies.length === 0) continue;
    const {
      rows: [written],
    } = await trx.raw(
      `with tombstones as (
         insert into api_payload_tombstones (api_payload_id, body_hash, body_bytes, body_sha256)
         select p.id, auditgraph_body_hash(p.payload), octet_length(p.payload::text), b.sha256
           from unnest(?::bigint[], ?::text[]) as b(id, sha256) join api_payloads p on p.id = b.id
         order by p.id
         returning body_bytes
       ) select count(*)::int as payloads, coalesce(sum(body_bytes), 0)::bigint as bytes from tombstones`,
      [bodies.map(({ key }) => key), bodies.map(({ sha256 }) => sha256)],
    );
    payloads += written.payloads;
    bytes += Number(written.bytes);
  }
  return { payloads, bytes, heldBack };
}

/**
 * The one deletion path of the record: payload bodies older than the window
 * are replaced by tombstones holding their hash and size, inside one
 * transaction that also appends the COMPLIANCE event saying so. The rows stay
 * (lineage stays whole) and verify recomputes each payload's hash from its
 * tombstone. A dry run counts the same rows and changes nothing.
 */
export async function purgePayloadBodies(
  em: EntityManager,
  window: RetentionWindow,
  options: { execute: boolean; actor: string; archive: ArchiveSettings | null },
): Promise<PurgeSummary> {
  const summary = { olderThanDays: window.days, cutoff: window.cutoff.toISOString(), executed: options.execute };
  const kept = noCopiesRefused();
  if (!options.execute) {
    // The plan reads back the same copies the purge would: it says what would stay, and why.
    let payloads = 0;
    let bodyBytes = 0;
    let heldBack = 0;
    for await (const { bodies, heldBack: held } of purgeableChunks(
      em.getKnex(),
      window.cutoff,
      options.archive,
      kept,
    )) {
      payloads += bodies.length;
      bodyBytes += bodies.reduce((sum, { bytes }) => sum + bytes, 0);
      heldBack += held;
    }
    return { ...summary, payloads, bodyBytes, heldBack, eventSeq: null, kept };
  }
  return inWriteTransaction(em, async (trx) => {
    await trx.raw(`select set_config('auditgraph.retention_purge', 'on', true)`);
    // A hold placed while the purge runs waits for it, or commits before and is seen by every statement here.
    await trx.raw(`lock table legal_holds in share mode`);
    const purged = await writeTombstones(trx, window.cutoff, options.archive, kept);
    const { heldBack } = purged;
    // Exactly the bodies just tombstoned: earlier purges left theirs null already.
    await trx.raw(
      `update api_payloads p set payload = null
         from api_payload_tombstones t
        where t.api_payload_id = p.id and p.payload is not null`,
    );
    const event = await appendEvent(trx, {
      logType: LogType.COMPLIANCE,
      event: 'retention_purge',
      data: {
        olderThanDays: window.days,
        cutoff: window.cutoff.toISOString(),
        payloads: purged.payloads,
        bodyBytes: purged.bytes,
        heldBack,
        kept: {
          notArchived: kept.notArchived,
          archiveUnreadable: kept.archiveUnreadable,
          archiveMismatch: kept.archiveMismatch,
        },
      },
      subjectTable: 'api_payloads',
      actor: options.actor,
    });
    return { ...summary, payloads: purged.payloads, bodyBytes: purged.bytes, heldBack, eventSeq: event.seq, kept };
  });
}
