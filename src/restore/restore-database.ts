import type { EntityManager } from '@mikro-orm/postgresql';
import type { ArchiveKey } from '../archive/archive-key';
import type { Config } from '../base/config';
import type { NoteVerifier } from '../checkpoint/note-keys';
import { LogType } from '../entities/audit-event.entity';
import { checkpointSigningOf } from '../integrator/checkpoint-key';
import { signCheckpointIfDue } from '../integrator/checkpoint-signer';
import { integrateAll } from '../integrator/integrate-all';
import { withIntegratorConnection } from '../integrator/integrator-connection';
import { appendEvent } from '../record/append-event';
import { inWriteTransaction } from '../record/write-transaction';
import { openExport } from './export-package';
import { RestoreRefusedError } from './restore-errors';
import { restoreExport, type RestoreSummary, tablesWithRows } from './restore-records';
import { advancePastXid } from './xid-horizon';

export type RestoreOutcome = RestoreSummary & {
  dir: string;
  trustedBy: string;
  xidsAdvanced: number;
  seconds: number;
  eventSeq: string;
  /** The tree once the records_restored event is in it: the restored one plus that leaf. */
  now: { treeSize: number; root: string; checkpointSigned: number | null };
};

/**
 * `auditgraph restore DIR` on a migrated database: refuses one that holds
 * any record (DATABASE_NOT_EMPTY) and a package that is not what its
 * checkpoint signs (PACKAGE_MISMATCH, PACKAGE_UNREADABLE), writes the export
 * in one transaction (restoreExport), then records a records_restored
 * COMPLIANCE event — after, in its own transaction, so it is the first leaf
 * added to the restored tree — and integrates it (signing a checkpoint where
 * this process can), so the restored database verifies at once.
 */
export async function restoreDatabase(
  config: Config,
  em: EntityManager,
  databaseUrl: string,
  request: { dir: string; key: ArchiveKey; trusted: readonly NoteVerifier[] | null; actor: string },
): Promise<RestoreOutcome> {
  const started = Date.now();
  const opened = await openExport(request.dir, request.trusted);
  const restored = await withIntegratorConnection(databaseUrl, async (connection) => {
    const occupied = await tablesWithRows(connection);
    if (occupied.length > 0)
      throw new RestoreRefusedError(
        'DATABASE_NOT_EMPTY',
        `restore writes only into an empty database; this one holds rows in ${occupied.join(', ')}`,
      );
    const xidsAdvanced = await advancePastXid(connection, opened.manifest.maxRecordedXid);
    return { ...(await restoreExport(connection, opened, request.key)), xidsAdvanced };
  });
  const event = await inWriteTransaction(em, (trx) =>
    appendEvent(trx, {
      logType: LogType.COMPLIANCE,
      event: 'records_restored',
      data: {
        treeSize: restored.treeSize,
        root: restored.root,
        rows: restored.rows,
        exportedAt: opened.manifest.exportedAt,
        trustedBy: opened.trustedBy,
      },
      actor: request.actor,
    }),
  );
  const integrated = await integrateAll(databaseUrl);
  const signing = await checkpointSigningOf(config, databaseUrl);
  const checkpointSigned = signing
    ? await withIntegratorConnection(databaseUrl, (connection) =>
        signCheckpointIfDue(connection, { ...signing, intervalS: 0 }),
      )
    : null;
  return {
    ...restored,
    now: { treeSize: integrated.size, root: integrated.root.toString('hex'), checkpointSigned },
    dir: request.dir,
    trustedBy: opened.trustedBy,
    seconds: (Date.now() - started) / 1000,
    eventSeq: event.seq,
  };
}
