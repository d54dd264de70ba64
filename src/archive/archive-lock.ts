import pg from 'pg';
import { DomainError } from '../base/errors';
import { ARCHIVE_LOCK } from '../database/advisory-locks';

/** Another run holds the archive lock: this one was refused before it wrote anything. */
export class ArchiveInProgressError extends DomainError {
  readonly code = 'ARCHIVE_IN_PROGRESS';
  override name = 'ArchiveInProgressError';
}

type Holder = { pid: number; application_name: string; backend_start: Date };

/**
 * Who holds the lock, as the server sees it: the session's application name
 * (set below to the command that took it), its server pid and since when.
 */
async function holderOf(client: pg.Client): Promise<Holder | undefined> {
  const { rows } = await client.query<Holder>(
    `select a.pid, a.application_name, a.backend_start
       from pg_locks l join pg_stat_activity a on a.pid = l.pid
      where l.locktype = 'advisory' and l.granted and l.database = (select oid from pg_database where datname = current_database())
        and l.classid::bigint = $1::bigint >> 32 and l.objid::bigint = $1::bigint & 4294967295 and l.objsubid = 1`,
    [ARCHIVE_LOCK],
  );
  return rows[0];
}

/**
 * Runs `work` holding the archive lock, or refuses at once with
 * ARCHIVE_IN_PROGRESS naming the holder. Refused rather than waited for:
 * every run is incremental (what one leaves, the next takes), so a cron run
 * that fires while the last still works loses nothing by stopping, where
 * waiting would queue runs behind a slow one. Session-level, on a connection
 * of its own: a run spans many transactions (one per file, written, fsynced
 * and read back between them), which a transaction-level lock would not
 * outlast; the server releases it when the connection ends, so a run that
 * dies holds nothing.
 */
export async function withArchiveLock<T>(databaseUrl: string, run: string, work: () => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: `auditgraph ${run}` });
  await client.connect();
  try {
    const { rows } = await client.query<{ locked: boolean }>('select pg_try_advisory_lock($1) as locked', [
      ARCHIVE_LOCK,
    ]);
    if (!rows[0]!.locked) {
      const holder = await holderOf(client);
      const who = holder
        ? `${JSON.stringify(holder.application_name || 'a session')} (server pid ${holder.pid}, connected since ${holder.backend_start.toISOString()})`
        : 'a run that has just finished';
      throw new ArchiveInProgressError(
        `ARCHIVE_IN_PROGRESS: ${who} holds the archive lock; this run (${run}) was refused and changed nothing — run it again once that one has finished`,
      );
    }
    try {
      return await work();
    } finally {
      await client.query('select pg_advisory_unlock($1)', [ARCHIVE_LOCK]);
    }
  } finally {
    await client.end();
  }
}

/** A dry run only reads: it takes no lock, and runs beside a run that executes. */
export const whenExecuting = <T>(execute: boolean, databaseUrl: string, run: string, work: () => Promise<T>) =>
  execute ? withArchiveLock(databaseUrl, run, work) : work();
