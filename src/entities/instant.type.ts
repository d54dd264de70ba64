import { Type } from '@mikro-orm/core';
import { type Instant, instantFromDatabase, instantOf } from '../time/instant';

/**
 * A `timestamptz` column held as an Instant (canonical text to the
 * microsecond) instead of MikroORM's Date, which keeps milliseconds: what
 * PostgreSQL stores is what an entity holds and an answer carries. The driver
 * already hands timestamps over as text (MikroORM's pg type parsers); this
 * only normalizes that text.
 */
export class InstantType extends Type<Instant | null | undefined, string | null | undefined> {
  override convertToDatabaseValue(value: Instant | Date | null | undefined): string | null | undefined {
    // A Date can still arrive from a caller that knows only milliseconds (now()); it is exact at that.
    return value instanceof Date ? instantOf(value) : value;
  }

  override convertToJSValue(value: string | Date | null | undefined): Instant | null | undefined {
    if (value == null) return value;
    return value instanceof Date ? instantOf(value) : instantFromDatabase(value);
  }

  override compareAsType(): string {
    return 'string';
  }

  override get runtimeType(): string {
    return 'string';
  }

  override getColumnType(): string {
    return 'timestamptz';
  }
}
