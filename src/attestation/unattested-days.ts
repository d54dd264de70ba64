import type { EntityManager } from '@mikro-orm/postgresql';
import { DAY_ATTESTED } from '../entities/audit-event.entity';
import type { Period } from '../reports/period';

/** The UTC days of a period no one has attested yet: how many, and the first `limit` of them. */
export type UnattestedDays = { count: number; days: string[] };

/**
 * The days of `period` that have ended, from the first recorded event on
 * (before it there is nothing to certify), with no day_attested event: one
 * probe of the attestation index per day. Days are UTC, as attestations are.
 */
export async function unattestedDays(em: EntityManager, period: Period, limit: number): Promise<UnattestedDays> {
  const { rows } = (await em
    .getConnection()
    .getKnex()
    .raw(
      `with days as (
         select to_char(d, 'YYYY-MM-DD') as day
           from generate_series(
                  date_trunc('day', greatest(:from::timestamptz, (select min(occurred_at) from audit_events))
                                    at time zone 'UTC'),
                  least(:until::timestamptz, now()) at time zone 'UTC' - interval '1 day',
                  interval '1 day') d
          where not exists (select 1 from audit_events e
                             where e.event = '${DAY_ATTESTED}' and e.event_data ->> 'day' = to_char(d, 'YYYY-MM-DD')))
       select day, count(*) over () as total from days order by day limit greatest(:limit, 1)`,
      { from: period.from, until: period.until, limit },
    )) as { rows: { day: string; total: string }[] };
  return { count: Number(rows[0]?.total ?? 0), days: rows.slice(0, limit).map((row) => row.day) };
}
