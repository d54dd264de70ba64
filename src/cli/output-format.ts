import { Option } from 'commander';
import { stringifyExactJson } from '../json/exact-json';
import { type Table, tableCsv, tableText } from '../reports/report-catalog';

export type Format = 'table' | 'json' | 'csv';

/** `--format`, its first choice the default. */
export const formatOption = (choices: string[] = ['table', 'json', 'csv']) =>
  new Option('--format <format>', 'output format').choices(choices).default(choices[0]);

/** JSON with every number as exact as it was read. */
export const printJson = (result: unknown) => process.stdout.write(`${stringifyExactJson(result, 2)}\n`);

/** JSON prints the result whole; table and CSV print its one flat table. */
export function print(format: Format, result: unknown, table: () => Table) {
  if (format === 'json') printJson(result);
  else if (format === 'csv') process.stdout.write(tableCsv(table()));
  else process.stdout.write(tableText(table()));
}
