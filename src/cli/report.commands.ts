import { type Command, Option } from 'commander';
import { closest, distance } from 'fastest-levenshtein';
import { BadInputError } from '../base/errors';
import { integrityReport } from '../reports/integrity.report';
import { dayPeriod, daysPeriod, quarterPeriod } from '../reports/period';
import {
  integrityTable,
  REPORT_FILTERS,
  REPORTS,
  type ReportDefinition,
  type ReportName,
  type ReportOptions,
} from '../reports/report-catalog';
import { number } from './arguments';
import { commandAction } from './command-action';
import { DAY_HELP, resolveDays } from './days';
import { EXIT_DONE, EXIT_FOUND } from './exit-codes';
import { type Format, formatOption, print } from './output-format';
import { timeZoneOption } from './time-zone-option';
import { withOrm } from './with-orm';
import { commandActor } from './actor';
import { recordReportRun } from '../admin/report-runs';
import { timeZoneOf } from '../time/time-zone';

const reportNames = Object.keys(REPORTS) as ReportName[];

/** The report `name` names, or a refusal listing them, with the nearest as a suggestion for a slip of the keys. */
function reportNamed(name: string): ReportDefinition {
  if (Object.hasOwn(REPORTS, name)) return REPORTS[name as ReportName];
  const nearest = closest(name, reportNames);
  const suggestion = distance(name, nearest) <= Math.max(2, nearest.length / 3) ? ` (did you mean ${nearest}?)` : '';
  throw new BadInputError(
    `unknown report ${JSON.stringify(name)}${suggestion}: use one of ${reportNames.join(', ')}`,
    'name',
  );
}

/** Checks the options a report takes before anything connects to the database: a period, and only its filters. */
function checkOptions(name: string, report: ReportDefinition, options: ReportOptions) {
  for (const filter of REPORT_FILTERS) {
    if (options[filter] !== undefined && !report.filters?.includes(filter)) {
      const takers = reportNames.filter((other) => REPORTS[other].filters?.includes(filter));
      throw new BadInputError(
        `--${filter} does not apply to the ${name} report (only to ${takers.join(', ')})`,
        filter,
      );
    }
  }
  const timeZone = timeZoneOf(options.timeZone, '--time-zone');
  if (report.period === 'date') {
    if (!options.date || options.from || options.to)
      throw new BadInputError('this report takes --date YYYY-MM-DD or yesterday (not --from/--to)', 'date');
    dayPeriod(options.date, '--date', timeZone);
  } else {
    if (!options.from || !options.to || options.date)
      throw new BadInputError(
        'this report takes --from YYYY-MM-DD --to YYYY-MM-DD, or --from last-week (not --date)',
        'from',
      );
    daysPeriod(options.from, options.to, timeZone);
  }
}

type IntegrityOptions = {
  quarter?: string;
  from?: string;
  to?: string;
  timeZone?: string;
  limit: number;
  format: Format;
};

/** The catalogued audit reports, and the integrity audit, whose findings are its exit code. */
export function registerReportCommands(program: Command): void {
  program
    .command('report')
    .description('run an audit report; the same SQL as the GraphQL report queries')
    .argument('<name>', `the report: ${reportNames.join(', ')}`)
    .option('--date <day>', `the day, for daily-summary and trade-blotter: ${DAY_HELP}`)
    .option('--from <day>', `first day of the period, included: ${DAY_HELP}`)
    .option('--to <day>', 'last day of the period, included (default with a word for --from: its last day)')
    .addOption(timeZoneOption())
    .option('--symbol <ticker>', 'for the symbol report only')
    .option('--strategy <name>', 'for strategy-performance only: only this strategy')
    .addOption(formatOption())
    .action(
      commandAction(async (name: string, given: ReportOptions & { format: Format }) => {
        const report = reportNamed(name);
        const options = resolveDays(given, timeZoneOf(given.timeZone, '--time-zone'));
        checkOptions(name, report, options);
        const actor = commandActor(undefined);
        const result = await withOrm(async (orm) => {
          const answer = await report.run(orm.em.fork(), options);
          await recordReportRun(orm.em.fork(), actor, name, options);
          return answer;
        });
        print(options.format, result, () => report.table(result));
      }),
    );

  program
    .command('integrity')
    .description('the quarterly data-integrity audit; exit 0 clean, 1 findings, 2 could not run')
    .option('--quarter <quarter>', 'a calendar quarter, e.g. 2026Q3, or last-quarter')
    .option('--from <day>', `first day, included: ${DAY_HELP}`)
    .option('--to <day>', 'last day, included')
    .addOption(timeZoneOption())
    .addOption(
      new Option('--limit <n>', 'most records listed per check (counts are always complete)')
        .argParser(
          number(
            '--limit',
            (value) => Number.isInteger(value) && value >= 0 && value <= 10_000,
            'a whole number from 0 to 10000',
          ),
        )
        .default(100),
    )
    .addOption(formatOption())
    .action(
      commandAction(async (given: IntegrityOptions) => {
        if (given.quarter && (given.from || given.to))
          throw new BadInputError('pass either --quarter or --from and --to, not both', 'quarter');
        const timeZone = timeZoneOf(given.timeZone, '--time-zone');
        const options = resolveDays(given, timeZone);
        if (!options.quarter && (!options.from || !options.to))
          throw new BadInputError('pass --quarter 2026Q3, or --from and --to', 'quarter');
        const period = options.quarter
          ? quarterPeriod(options.quarter, timeZone)
          : daysPeriod(options.from!, options.to!, timeZone);
        const actor = commandActor(undefined);
        const report = await withOrm(async (orm) => {
          const answer = await integrityReport(orm.em.fork(), period, { limit: options.limit });
          await recordReportRun(orm.em.fork(), actor, 'integrity', options);
          return answer;
        });
        print(options.format, report, () => integrityTable(report));
        if (options.format === 'table')
          console.error(report.clean ? 'integrity: clean' : `integrity: ${report.totalFindings} findings`);
        return report.clean ? EXIT_DONE : EXIT_FOUND;
      }),
    );
}
