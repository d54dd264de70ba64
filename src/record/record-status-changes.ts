import type { EntityManager } from '@mikro-orm/postgresql';
import { BadInputError } from '../base/errors';
import { LIFECYCLE_TYPES, tableOf } from '../lineage/node-types';
import { currentStatusSql } from '../queries/current-status';
import type { RecordKind, RecordResult, StatusChangeInput } from './record-inputs';
import { EVENTS, RECORD_TABLE_OF, type RecordTable } from './record-tables';
import { RecordError } from './record-writer';
import { checkCount, checkText } from './input-checks';
import { record } from './record-batch';

/** Each record kind's table and which of its statuses may follow which (anything else is refused). */
const KINDS = new Map<RecordKind, { spec: RecordTable; transitions: Partial<Record<string, readonly string[]>> }>(
  LIFECYCLE_TYPES.map(({ type, lifecycle }) => [
    tableOf(type),
    { spec: RECORD_TABLE_OF[type], transitions: lifecycle.transitions },
  ]),
);

export async function recordStatusChanges(
  em: EntityManager,
  actor: string,
  changes: StatusChangeInput[],
): Promise<RecordResult> {
  checkCount(changes);
  changes.forEach((change, index) => {
    checkText(change.externalId, `records[${index}].externalId`);
    checkText(change.subject.externalId, `records[${index}].subject.externalId`);
    checkText(change.reason, `records[${index}].reason`, false);
  });
  return record(
    em,
    actor,
    EVENTS,
    changes.map((change) => change.externalId),
    async (bundle, trx) => {
      // A change sent again is compared with what was recorded, `from` included: that was the status then.
      const recorded = (await trx(EVENTS.table)
        .select('external_id', 'event_data')
        .whereIn(
          'external_id',
          changes.map((change) => change.externalId),
        )) as { external_id: string; event_data: { from?: string } }[];
      const already = new Map(recorded.map((row) => [row.external_id, row.event_data.from]));
      // Each subject's current status, one statement per kind; the rows are locked so that
      // two writers cannot both move one record from the same status.
      const current = new Map<string, string>();
      for (const kind of new Set(changes.map((change) => change.subject.kind))) {
        const { spec } = KINDS.get(kind)!;
        const named = changes
          .filter((change) => change.subject.kind === kind)
          .map((change) => change.subject.externalId);
        const { rows } = await trx.raw(
          `select t.${spec.externalId} as external_id, ${currentStatusSql(spec.table, 't')} as status
            from ${spec.table} t where t.${spec.externalId} = any(?) for share`,
          [named],
        );
        for (const row of rows as { external_id: string; status: string }[])
          current.set(`${spec.table}:${row.external_id}`, row.status);
      }
      for (const [index, change] of changes.entries()) {
        const { spec, transitions } = KINDS.get(change.subject.kind)!;
        const key = `${spec.table}:${change.subject.externalId}`;
        if (!current.has(key))
          throw new RecordError(
            `records[${index}]`,
            `subject names ${spec.table} ${JSON.stringify(change.subject.externalId)}, which is not recorded`,
            'BAD_USER_INPUT',
          );
        const from = already.has(change.externalId) ? String(already.get(change.externalId)) : current.get(key)!;
        if (!already.has(change.externalId)) {
          const allowed = transitions[from] ?? [];
          if (!allowed.includes(change.to)) {
            throw new BadInputError(
              `records[${index}]: ${spec.table} ${change.subject.externalId} is ${from}; ` +
                `it can become ${allowed.length ? allowed.join(' or ') : 'nothing else'}, ` +
                `not ${JSON.stringify(change.to).slice(0, 60)}`,
              'to',
            );
          }
          current.set(key, change.to);
        }
        bundle.events.push({
          source: `records[${index}]`,
          row: {
            external_id: change.externalId,
            log_type: 'TRADE',
            event: 'status_changed',
            event_data: { from, to: change.to, ...(change.reason ? { reason: change.reason } : {}) },
            subject_table: spec.table,
            occurred_at: change.occurredAt,
          },
          links: { subject_id: { table: spec, externalId: change.subject.externalId } },
        });
      }
    },
  );
}
