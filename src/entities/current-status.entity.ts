import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * The current status of each lifecycle record as of the integrator's last
 * snapshot (merkle_integration.snapshot): the `to` of its latest
 * status_changed event by `seq`, else the status it was written with (`seq`
 * 0). Written by the integrator in the transaction of the batch's leaves, off
 * the writers' path, so writers pay nothing for it. Derived and mutable: not
 * a record, not in the leaves, not exported (a restore rebuilds it). A read
 * of "now" adds the records and events committed since that snapshot (see
 * src/queries/current-status.ts); positions are not kept here (their fills
 * also move them).
 */
@Entity({ tableName: 'current_statuses' })
@Index({ name: 'current_statuses_status_index', properties: ['subjectTable', 'status', 'subjectId'] })
export class CurrentStatus {
  @PrimaryKey({ type: 'text' })
  subjectTable!: string;

  @PrimaryKey({ type: 'bigint' })
  subjectId!: string;

  @Property({ type: 'text' })
  status!: string;

  /** The seq of the event the status is from; 0 for the status the record was written with. */
  @Property({ type: 'bigint' })
  seq!: string;
}
