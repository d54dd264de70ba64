import { LosslessNumber } from 'lossless-json';
import type { LogType, SubjectTable } from '../entities/audit-event.entity';
import { stringifyExactJson } from '../json/exact-json';
import type { EventKind } from './seed-rows';
import type { WalkState } from './walk-state';

/** A decimal written into event data with exactly these digits (jsonb keeps them as numeric). */
export const exactDecimal = (digits: string): LosslessNumber => new LosslessNumber(digits);

/** A generated event as its producer writes it; `subject` when it concerns one lineage record. */
export type GeneratedEvent = {
  logType: `${LogType}`;
  event: string;
  data: Record<string, unknown>;
  actor: string;
  atMs: number;
  subject?: { table: SubjectTable; id: number };
  /** The data holds exactDecimal digits, which only the slower exact writer keeps. */
  exactNumbers?: true;
};

/**
 * Emits one audit_events row of the generated data. The database numbers and
 * times every event (seq and recorded_at are left to it, see copy-sink.ts);
 * the legacy chain's hashes are null since the Merkle tree proves the record.
 * Data with exact decimals is written as JSON text, so that they keep their digits; no event
 * happens at or after the anchor, where the generated data ends. `build`
 * runs only when audit_events are being loaded (it must draw nothing): the
 * walk's other passes only count the event.
 */
export async function emitEvent(walk: WalkState, kind: EventKind, build: () => GeneratedEvent): Promise<void> {
  walk.eventCounts[kind] += 1;
  if (walk.emit('audit_events', () => eventRow(build(), walk.anchorMs))) await walk.sink.flush();
}

function eventRow(event: GeneratedEvent, anchorMs: number) {
  return {
    prev_hash: null,
    hash: null,
    log_type: event.logType,
    event: event.event,
    event_data: event.exactNumbers ? stringifyExactJson(event.data) : event.data,
    subject_table: event.subject?.table ?? null,
    subject_id: event.subject?.id ?? null,
    external_id: null,
    actor: event.actor,
    occurred_at: new Date(Math.min(event.atMs, anchorMs - 1)),
    record_ids: null,
    record_hashes: null,
  };
}
