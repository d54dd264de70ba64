import { Gauge } from 'prom-client';
import type { Orm } from '../database/orm';
import { publishedSizes } from '../proof/witness-folder';
import { instantFromDatabase, millisecondsOf } from '../time/instant';
import { CachedReading } from './cached-reading';
import { metricsRegistry } from './registry';

/** A witness folder is listed and two index lookups run: once a minute is plenty for hour-scale alerts. */
const MAX_AGE_MS = 60_000;
const TIMEOUT_MS = 3_000;

type Source = { orm: Orm; witnessDir: string | undefined };
type Reading = { oldestUnpublishedSeconds: number; lastVerification: { seconds: number; findings: number } | null };

const seconds = (at: string) => millisecondsOf(instantFromDatabase(at)) / 1000;

/**
 * Whether the record's outside copies keep up: the oldest signed checkpoint
 * the witness folder does not hold yet (`checkpoint publish` failing or not
 * run), and the newest `archive verify` run with its findings.
 */
async function readRecordState({ orm, witnessDir }: Source): Promise<Reading> {
  const connection = orm.em.fork().getConnection();
  const [unpublished, [verification]] = await Promise.all([
    witnessDir === undefined
      ? Promise.resolve([])
      : publishedSizes(witnessDir).then((sizes) =>
          connection.execute<{ signed_at: string }[]>(
            'select signed_at from merkle_checkpoints where tree_size > ? order by tree_size limit 1',
            [sizes.at(-1) ?? 0],
          ),
        ),
    connection.execute<{ occurred_at: string; findings: string | null }[]>(
      `select occurred_at, event_data ->> 'findings' as findings from audit_events
        where log_type = 'COMPLIANCE' and event = 'archive_verified'
        order by occurred_at desc limit 1`,
    ),
  ]);
  return {
    oldestUnpublishedSeconds: unpublished[0] ? seconds(unpublished[0].signed_at) : Number.NaN,
    lastVerification: verification
      ? { seconds: seconds(verification.occurred_at), findings: Number(verification.findings ?? Number.NaN) }
      : null,
  };
}

const state = new CachedReading('the checkpoint and archive gauges query', MAX_AGE_MS, TIMEOUT_MS, readRecordState);

/** The gateway's database and the witness folder it publishes to (AUDITGRAPH_WITNESS_DIR), if any. */
export function useRecordGaugeSource(orm: Orm, witnessDir: string | undefined): void {
  state.use({ orm, witnessDir });
}

function recordGauge(name: string, help: string, pick: (reading: Reading) => number) {
  return new Gauge({
    name,
    help,
    registers: [metricsRegistry],
    async collect() {
      const current = (await state.current())?.value;
      if (current) this.set(pick(current));
    },
  });
}

recordGauge(
  'auditgraph_checkpoint_oldest_unpublished_timestamp_seconds',
  'When the oldest signed checkpoint the witness folder (AUDITGRAPH_WITNESS_DIR) lacks was signed, in Unix ' +
    'seconds; NaN when the folder holds them all or no folder is set.',
  (r) => r.oldestUnpublishedSeconds,
);
recordGauge(
  'auditgraph_archive_last_verification_timestamp_seconds',
  'When the newest `archive verify` run was recorded, in Unix seconds; NaN before the first.',
  (r) => r.lastVerification?.seconds ?? Number.NaN,
);
recordGauge(
  'auditgraph_archive_last_verification_findings',
  'Findings of the newest `archive verify` run (0: the archive is whole); NaN before the first.',
  (r) => r.lastVerification?.findings ?? Number.NaN,
);
