import { type Command, Option } from 'commander';
import { BadInputError } from '../base/errors';
import { integrityReport } from '../reports/integrity.report';
import { dayPeriod, daysPeriod, quarterPeriod } from '../reports/period';
import { integrityTable, REPORTS, type ReportName, type ReportOptions } from '../reports/report-catalog';
import { number } from './arguments';
import { commandAction } from './command-action';
import { EXIT_DONE, EXIT_FOUND } from './exit-codes';
import { type Format, formatOption, print } from './output-format';
import { withOrm } from './with-orm';
import { commandActor } from './actor';
import { recordReportRun } from '../admin/report-runs';
import { timeZoneOf } from '../time/time-zone';

const reportNames = Object.keys(REPORTS) as ReportName[];

/** Checks the period options a report needs before anything connects to the database. */
function checkPeriod(kind: 'date' | 'range', options: ReportOptions) {
  const timeZone = timeZoneOf(options.timeZone, '--time-zone');
  if (kind === 'date') {
    if (!options.date || options.from || options.to)
      throw new BadInputError('this report takes --date YYYY-MM-DD (not --from/--to)', 'date');
    dayPeriod(options.date, '--date', timeZone);
  } else {
    if (!options.from || !options.to || options.date)
      throw new BadInputError('this report takes --from YYYY-MM-DD --to YYYY-MM-DD (not --date)', 'from');
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
    .option('--date <day>', 'the day (UTC unless --time-zone), for daily-summary and trade-blotter')
    .option('--from <day>', 'first day of the period, included')
    .option('--to <day>', 'last day of the period, included')
    .option('--time-zone <IANA>', 'read the days in this time zone, e.g. America/New_York (default UTC)')
    .option('--symbol <ticker>', 'for the symbol report')
    .option('--strategy <name>', 'for strategy-performance: only this strategy')
    .addOption(formatOption())
    .action(
      commandAction(async (name: string, options: ReportOptions & { format: Format }) => {
        if (!Object.hasOwn(REPORTS, name)) {
          const known = reportNames.join(', ');
          throw new BadInputError(`unknown report ${JSON.stringify(name)}: use one of ${known}`, 'name');
        }
        const report = REPORTS[name as ReportName];
        checkPeriod(report.period, options);
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
    .option('--quarter <quarter>', 'a calendar quarter, e.g. 2026Q3')
    .option('--from <day>', 'first day, included (UTC unless --time-zone)')
    .option('--to <day>', 'last day, included')
    .option('--time-zone <IANA>', 'read the quarter or days in this time zone, e.g. America/New_York (default UTC)')
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
      commandAction(async (options: IntegrityOptions) => {
        if (options.quarter && (options.from || options.to))
          throw new BadInputError('pass either --quarter or --from and --to, not both', 'quarter');
        if (!options.quarter && (!options.from || !options.to))
          throw new BadInputError('pass --quarter 2026Q3, or --from and --to', 'quarter');
        const timeZone = timeZoneOf(options.timeZone, '--time-zone');
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
