import { Property } from '@mikro-orm/core';

/** The property every record table declares for its `recorded_xid` column. */
export const RECORDED_XID = 'recordedXid';

/**
 * The `recorded_xid` column of a record table: the top-level transaction id
 * of the writer (`pg_current_xact_id()`, the column's default), which the
 * integrator compares with PostgreSQL snapshots to find the rows committed
 * since its previous batch. The database fills it, whoever writes: the app
 * never sets it, never reads it by default (lazy), and GraphQL never shows it
 * (no field). Declared so that a migration generated later keeps the column
 * and its index.
 */
export const RecordedXid = (): PropertyDecorator =>
  Property({
    type: 'string',
    columnType: 'xid8',
    defaultRaw: 'pg_current_xact_id()',
    index: true,
    lazy: true,
    hidden: true,
  }) as PropertyDecorator;
