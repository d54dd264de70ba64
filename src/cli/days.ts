import { BadInputError } from '../base/errors';
import { isRelativeDays, lastQuarterName, RELATIVE_DAYS, relativeDaySpan } from '../time/relative-days';

export type DayOptions = { date?: string; from?: string; to?: string; quarter?: string };

const WORDS = RELATIVE_DAYS.join(', ');

/** How the day options are described in every command's help. */
export const DAY_HELP = `a date YYYY-MM-DD or ${WORDS}`;

/**
 * The one reading of --date, --from, --to and --quarter for every command that
 * takes them: a date or quarter as written, or a word of RELATIVE_DAYS
 * (`--date yesterday`, `--from last-week --to last-week`, `--quarter
 * last-quarter`); `--from` a word alone also ends with it. Today is read in
 * `timeZone`, as the days are.
 */
export function resolveDays<T extends DayOptions>(options: T, timeZone: string, now = new Date()): T {
  const resolved = { ...options };
  const span = (text: string) => (isRelativeDays(text) ? relativeDaySpan(text, timeZone, now) : undefined);
  if (options.date !== undefined) {
    const days = span(options.date);
    if (days && days.first !== days.last)
      throw new BadInputError(
        `--date takes one day (a date or yesterday); for ${options.date} pass --from ${options.date}`,
        'date',
      );
    if (days) resolved.date = days.first;
  }
  if (options.from !== undefined) {
    const days = span(options.from);
    if (days) {
      resolved.from = days.first;
      if (options.to === undefined) resolved.to = days.last;
    }
  }
  if (options.to !== undefined) {
    const days = span(options.to);
    if (days) resolved.to = days.last;
  }
  if (options.quarter === 'last-quarter') resolved.quarter = lastQuarterName(timeZone, now);
  return resolved;
}
