import type { EntityManager } from '@mikro-orm/postgresql';
import type { NoteSigner } from '../checkpoint/note-keys';
import { signNote } from '../checkpoint/signed-note';
import { LogType } from '../entities/audit-event.entity';
import { appendEvent } from '../record/append-event';
import { inWriteTransaction } from '../record/write-transaction';
import { type CompliancePackage, compliancePackage } from './compliance-package';
import { stagePackage } from './package-folder';
import type { PackagePeriod } from './package-period';

export type WrittenPackage = CompliancePackage & { eventSeq: string };

/**
 * `auditgraph package`: builds the period's package, signs its manifest with
 * the checkpoint key, writes it whole beside `dir`, and moves it into place
 * in the transaction that appends the COMPLIANCE event
 * `compliance_package_written` (the manifest's hash, the period, the actor):
 * the event commits only once the package is in place, and a package that
 * could not be put there leaves no event and no folder.
 */
export async function writeCompliancePackage(
  em: EntityManager,
  period: PackagePeriod,
  options: { dir: string; force: boolean; actor: string; signer: NoteSigner },
): Promise<WrittenPackage> {
  const built = await compliancePackage(em, period);
  const staged = await stagePackage(options.dir, built.files, signNote(built.manifestText, options.signer), options);
  try {
    const event = await inWriteTransaction(em, async (trx) => {
      const appended = await appendEvent(trx, {
        logType: LogType.COMPLIANCE,
        event: 'compliance_package_written',
        data: {
          from: period.fromDay,
          to: period.toDay,
          manifestSha256: built.manifestSha256,
          files: built.files.length,
          firstTreeSize: built.firstTreeSize,
          lastTreeSize: built.lastTreeSize,
          signedBy: options.signer.verifierKey,
        },
        actor: options.actor,
      });
      await staged.install();
      return appended;
    });
    return { ...built, eventSeq: event.seq };
  } catch (error) {
    await staged.discard();
    throw error;
  }
}
