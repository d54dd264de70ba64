import type { EntityManager } from '@mikro-orm/postgresql';
import { sqlStateOf } from '../base/sql-state';
import { DAY_ATTESTED, LogType } from '../entities/audit-event.entity';
import { newestCheckpoint, type StoredCheckpoint } from '../proof/checkpoint-reads';
import { emQueryable } from '../proof/em-queryable';
import { type AppendedEvent, appendEvent } from '../record/append-event';
import { inWriteTransaction } from '../record/write-transaction';
import { dailySummary } from '../reports/daily-summary.report';
import { integrityReport } from '../reports/integrity.report';
import type { Period } from '../reports/period';
import { compareInstants, instantOf } from '../time/instant';
import { AttestationError } from './attestation-error';
import { type AttestationRequest, checkedAttestation } from './attestation-input';

/** Who asked for the attestation: an API key over GraphQL, or whoever runs the CLI (its actor). */
export type AttestationCaller = { key: { id: string; name: string } } | { cli: string };

/** The counts of the day a person certifies, as the seed's certification carries them. */
export type AttestedCounts = { decisions: number; executions: number; integrityFindings: number };

/** An attestation as recorded: its day_attested event, and the checkpoint it is bound to. */
export type RecordedAttestation = {
  day: string;
  by: string;
  note: string | null;
  counts: AttestedCounts;
  checkpoint: StoredCheckpoint;
  caller: AttestationCaller;
  event: AppendedEvent;
};

const sum = (counts: { count: number }[]) => counts.reduce((total, entry) => total + entry.count, 0);

/** The day's counts, from the daily summary's and the integrity audit's own statements. */
async function dayCounts(em: EntityManager, day: string, period: Period): Promise<AttestedCounts> {
  const [summary, integrity] = await Promise.all([
    dailySummary(em, { date: day }),
    integrityReport(em, period, { limit: 0 }),
  ]);
  return {
    decisions: sum(summary.decisionsByStatus),
    executions: sum(summary.executionsByStatus),
    integrityFindings: integrity.totalFindings,
  };
}

/**
 * Records that a named person certified a UTC day (the spec's daily
 * compliance certification): a `day_attested` COMPLIANCE event carrying the
 * day's counts, the caller beside the name, and the newest signed checkpoint
 * — which must have been signed after the day ended, so its tree holds what
 * the integrator took in of the day. One per person and day: the database's
 * unique index decides, so two at once cannot both succeed.
 */
export async function attestDay(
  em: EntityManager,
  request: AttestationRequest,
  caller: AttestationCaller,
  names?: { date: string; by: string; note: string },
): Promise<RecordedAttestation> {
  const { day, period, by, note } = checkedAttestation(request, names);
  if (compareInstants(period.until, instantOf(new Date())) > 0)
    throw new AttestationError(
      'DAY_NOT_ENDED',
      `${day} has not ended yet (UTC): a day is attested once it is over`,
      'date',
    );
  const checkpoint = await newestCheckpoint(emQueryable(em));
  if (!checkpoint || compareInstants(checkpoint.time, period.until) < 0)
    throw new AttestationError(
      'NO_CHECKPOINT',
      `no checkpoint has been signed since ${day} ended: an attestation is bound to one ` +
        '(the integrator signs them with a checkpoint key)',
      'date',
    );
  const counts = await dayCounts(em, day, period);
  const actor = 'key' in caller ? caller.key.name : caller.cli;
  try {
    const event = await inWriteTransaction(em, (trx) =>
      appendEvent(trx, {
        logType: LogType.COMPLIANCE,
        event: DAY_ATTESTED,
        data: {
          day,
          by,
          note,
          counts,
          checkpoint: {
            treeSize: checkpoint.treeSize,
            rootHash: checkpoint.root.toString('base64'),
            time: checkpoint.time,
            keyName: checkpoint.keyName,
          },
          caller,
        },
        actor,
      }),
    );
    return { day, by, note, counts, checkpoint, caller, event };
  } catch (error) {
    if (sqlStateOf(error) === '23505')
      throw new AttestationError('ALREADY_ATTESTED', `${by} has already attested ${day}`, 'by');
    throw error;
  }
}
