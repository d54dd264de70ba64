import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { COLUMNS, type RowSink, type Table } from './lineage-walk';

const FLUSH_AT_CHARACTERS = 1 << 18;

/** Streams one table's rows into `COPY … FROM STDIN`, waiting whenever PostgreSQL falls behind. */
export class CopySink implements RowSink {
  private chunks: string[] = [];
  private size = 0;
  private readonly stream;

  constructor(
    client: pg.Client,
    readonly table: Table,
  ) {
    const columns = COLUMNS[table].map((column) => `"${column}"`).join(', ');
    this.stream = client.query(copyFrom(`copy "${table}" (${columns}) from stdin`));
  }

  add(line: string): boolean {
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
}
