import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { persistedColumnsOfTable } from '../database/entity-metadata';
import { copyRow } from './copy-text';
import { type RowSink, type SeedRow, type Table } from './seed-rows';

const FLUSH_AT_CHARACTERS = 1 << 18;

/** Columns a COPY leaves to their defaults: an event's number (its sequence) and the time it was appended. */
const FILLED_BY_DATABASE: Partial<Record<Table, readonly string[]>> = { audit_events: ['seq', 'recorded_at'] };

/** Streams one table's rows into `COPY … FROM STDIN`, waiting whenever PostgreSQL falls behind. */
export class CopySink implements RowSink {
  private chunks: string[] = [];
  private size = 0;
  private readonly stream;
  /**
   * Every column of the table, as its entity declares them, but those the
   * database fills: COPY's rows are positional, in this order.
   */
  private readonly columns: readonly string[];

  constructor(
    client: pg.Client,
    readonly table: Table,
  ) {
    const filled = FILLED_BY_DATABASE[table] ?? [];
    this.columns = persistedColumnsOfTable(table)
      .map(({ column }) => column)
      .filter((column) => !filled.includes(column));
    const list = this.columns.map((column) => `"${column}"`).join(', ');
    this.stream = client.query(copyFrom(`copy "${table}" (${list}) from stdin`));
  }

  add(row: SeedRow): boolean {
    // Every column given, and no other: a column left out by mistake would load as its default, often null.
    if (Object.keys(row).length !== this.columns.length || this.columns.some((column) => !(column in row)))
      throw new Error(
        `a ${this.table} row must give exactly ${this.columns.join(', ')}; got ${Object.keys(row).join(', ')}`,
      );
    const line = copyRow(this.columns.map((column) => row[column]));
    this.chunks.push(line);
    this.size += line.length;
    return this.size >= FLUSH_AT_CHARACTERS;
  }

  async flush(): Promise<void> {
    if (this.size === 0) return;
    const data = this.chunks.join('');
    this.chunks = [];
    this.size = 0;
    // `once` rejects if the stream errors (a constraint violation), so a failed COPY never hangs here.
    if (!this.stream.write(data)) await once(this.stream, 'drain');
  }

  async end(): Promise<void> {
    await this.flush();
    this.stream.end();
    await finished(this.stream);
  }

  /**
   * Ends the COPY with a failure (PostgreSQL is sent CopyFail), after an error
   * of the rows' own: an open COPY holds the connection, and the rollback
   * would wait behind it forever.
   */
  async abort(reason: Error): Promise<void> {
    this.stream.destroy(reason);
    await finished(this.stream).catch(() => undefined);
  }
}
