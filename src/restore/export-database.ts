import type { ArchiveKey } from '../archive/archive-key';
import type { Config } from '../base/config';
import { checkpointSigningOf } from '../integrator/checkpoint-key';
import { signCheckpointIfDue } from '../integrator/checkpoint-signer';
import { integrateAll } from '../integrator/integrate-all';
import { withIntegratorConnection } from '../integrator/integrator-connection';
import { exportAll, type ExportSummary } from './export-records';

/**
 * `auditgraph export --all`: first every committed record into the tree and,
 * where this process can sign, a checkpoint of the whole tree — so the export
 * is the whole record as of its start — then the export at the newest
 * checkpoint. Records written meanwhile are in the next export, never in a
 * file no checkpoint covers.
 */
export async function exportDatabase(
  config: Config,
  databaseUrl: string,
  dir: string,
  key: ArchiveKey,
): Promise<ExportSummary & { seconds: number }> {
  const started = Date.now();
  await integrateAll(databaseUrl);
  const signing = await checkpointSigningOf(config, databaseUrl);
  const summary = await withIntegratorConnection(databaseUrl, async (connection) => {
    if (signing) await signCheckpointIfDue(connection, { ...signing, intervalS: 0 });
    return exportAll(connection, dir, key);
  });
  return { ...summary, seconds: (Date.now() - started) / 1000 };
}
