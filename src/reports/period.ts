import { BadInputError } from '../errors';

/** A half-open UTC time range, `[from, until)`: whole days for day-based reports. */
export type Period = { from: Date; until: Date };

const DAY_MS = 24 * 60 * 60 * 1000;

/** A calendar date `YYYY-MM-DD` (UTC day), refusing impossible dates such as 2026-02-30. */
export function parseDay(text: string, argument: string): Date {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const day = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : null;
  if (!day || day.toISOString().slice(0, 10) !== text) {
    throw new BadInputError(`\`${argument}\` must be a date as YYYY-MM-DD; got ${JSON.stringify(text)}`, argument);
  }
  return day;
}

/** One UTC day. */
export function dayPeriod(date: string, argument = 'date'): Period {
  const from = parseDay(date, argument);
  return { from, until: new Date(from.getTime() + DAY_MS) };
}

/** From the start of `from` to the end of `to`, both days included. */
export function daysPeriod(from: string, to: string): Period {
  const start = parseDay(from, 'from');
  const end = parseDay(to, 'to');
  if (end < start) throw new BadInputError(`\`from\` (${from}) must not be after \`to\` (${to})`, 'from');
  return { from: start, until: new Date(end.getTime() + DAY_MS) };
}

/** A calendar quarter, `2026Q3` = 2026-07-01 to 2026-09-30. */
export function quarterPeriod(quarter: string): Period {
  const match = /^(\d{4})Q([1-4])$/.exec(quarter);
  if (!match) throw new BadInputError(`\`quarter\` must look like 2026Q3; got ${JSON.stringify(quarter)}`, 'quarter');
  const year = Number(match[1]);
  const firstMonth = (Number(match[2]) - 1) * 3;
  return { from: new Date(Date.UTC(year, firstMonth, 1)), until: new Date(Date.UTC(year, firstMonth + 3, 1)) };
}

/** A span of instants, as alerts use ("the last hour"); `until` must follow `since`. */
export function instantsPeriod(since: Date, until: Date): Period {
  if (!(until > since)) throw new BadInputError('`since` must be before `until`', 'since');
  return { from: since, until };
}
