import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { LogType } from '../entities/audit-event.entity';
import { stringifyExactJson } from '../json/exact-json';
import { emQueryable } from '../proof/em-queryable';
import { navHistory } from '../queries/nav-history';
import { CONSISTENCY_PROOF, FIRST_CHECKPOINT, LAST_CHECKPOINT } from '../verifier/compliance-package';
import { formatManifest } from '../verifier/package-manifest';
import { integrityReport, MAX_FINDINGS_LIMIT } from './integrity.report';
import { daysOf, type PackagePeriod } from './package-period';
import { packageCheckpoints } from './package-checkpoints';
import { eventLines } from './package-events';
import { packageReadme, README_DESCRIPTION, README_PATH } from './package-readme';
import { integrityTable, REPORTS, type ReportName, tableCsv } from './report-catalog';
import { MAX_SYMBOL_REPORT_LIMIT, symbolReport } from './symbol-report.report';

/** One file of a package: where it goes, what it is (for the README and the index), and its bytes. */
export type PackageFile = { path: string; description: string; content: Buffer };

/** A file's entry in the index: its bytes stay on disk. */
export type PackageFileEntry = { path: string; description: string; sha256: string; bytes: number };

export type CompliancePackage = {
  period: PackagePeriod;
  files: PackageFile[];
  /** The manifest's text, what the checkpoint key signs (MANIFEST.note is this text and its signature). */
  manifestText: string;
  /** SHA-256 (hex) of the manifest's text: what the compliance_package_written event and the index name. */
  manifestSha256: string;
  firstTreeSize: number;
  lastTreeSize: number;
};

/** The logs a package carries whole, one JSON Lines file each. */
export const PACKAGE_LOG_TYPES = [LogType.NAV, LogType.RISK, LogType.COMPLIANCE] as const;

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const text = (path: string, description: string, body: string): PackageFile => ({
  path,
  description,
  content: Buffer.from(body, 'utf8'),
});
const json = (value: unknown) => `${stringifyExactJson(value, 2)}\n`;

/** Tickers as the symbol report accepts them: one report per symbol decided in the period. */
async function symbolsOf(em: EntityManager, period: PackagePeriod): Promise<string[]> {
  const rows = await em.getConnection().execute<{ symbol: string }[]>(
    `select distinct upper(btrim(d.symbol)) as symbol from trade_decisions d
      where d.created_at >= ? and d.created_at < ? and upper(btrim(d.symbol)) ~ '^[A-Z0-9.-]{1,15}$'
      order by 1`,
    [period.from, period.until],
  );
  return rows.map((row) => row.symbol);
}

/** A report of one day, run for every day of the period: one JSON array, one CSV with a leading `day` column. */
async function dailyReport(em: EntityManager, name: ReportName, period: PackagePeriod): Promise<PackageFile[]> {
  const report = REPORTS[name];
  const days: { day: string; report: unknown }[] = [];
  const rows: unknown[][] = [];
  let columns: string[] = [];
  for (const day of daysOf(period)) {
    const result = await report.run(em, { date: day });
    const table = report.table(result);
    columns = table.columns;
    days.push({ day, report: result });
    rows.push(...table.rows.map((row) => [day, ...row]));
  }
  return [
    text(`reports/${name}.json`, `${report.description}; every day of the period`, json(days)),
    text(
      `reports/${name}.csv`,
      `${report.description}; every day of the period, one row set per day`,
      tableCsv({ columns: ['day', ...columns], rows }),
    ),
  ];
}

async function rangeReport(
  em: EntityManager,
  name: ReportName,
  period: PackagePeriod,
  symbol?: string,
): Promise<PackageFile[]> {
  const report = REPORTS[name];
  const result =
    symbol === undefined
      ? await report.run(em, { from: period.fromDay, to: period.toDay })
      : // The most rows a symbol report lists: a quarter of one ticker's trading fits (`truncated` says when not).
        await symbolReport(em, { symbol, from: period.fromDay, to: period.toDay, limit: MAX_SYMBOL_REPORT_LIMIT });
  const base = symbol === undefined ? `reports/${name}` : `reports/symbol/${symbol}`;
  const what = symbol === undefined ? report.description : `the symbol report of ${symbol}: ${report.description}`;
  return [text(`${base}.json`, what, json(result)), text(`${base}.csv`, what, tableCsv(report.table(result)))];
}

/**
 * Everything an examiner asks for over a period, built in memory from the
 * same SQL the CLI reports and GraphQL answer with: every catalogued report
 * (daily ones for every day), the integrity audit, NAV, the NAV, RISK and
 * COMPLIANCE logs byte-exact, the checkpoints covering the period with their
 * consistency proof, and a README; then the manifest of them all.
 */
export async function compliancePackage(em: EntityManager, period: PackagePeriod): Promise<CompliancePackage> {
  // The checkpoints first: a record written while the package is built is not covered, and not claimed to be.
  const checkpoints = await packageCheckpoints(emQueryable(em), period);
  const files: PackageFile[] = [];
  for (const name of Object.keys(REPORTS) as ReportName[]) {
    const report = REPORTS[name];
    if (report.period === 'date') files.push(...(await dailyReport(em, name, period)));
    else if (name === 'symbol')
      for (const symbol of await symbolsOf(em, period)) files.push(...(await rangeReport(em, name, period, symbol)));
    else files.push(...(await rangeReport(em, name, period)));
  }
  const integrity = await integrityReport(em, period, { limit: MAX_FINDINGS_LIMIT });
  const integrityWhat = 'the data-integrity audit of the period: every check, its count, the records it flags';
  files.push(text('integrity.json', integrityWhat, json(integrity)));
  files.push(text('integrity.csv', integrityWhat, tableCsv(integrityTable(integrity))));
  const nav = await navHistory(em, period.from, period.until);
  files.push(
    text(
      'nav.csv',
      'the NAV history: every NAV-log event stating a nav, oldest first, the nav as its own digits',
      tableCsv({
        columns: ['occurredAt', 'nav', 'event', 'seq'],
        rows: nav.map((point) => [point.occurredAt, point.nav, point.event.event, point.event.id]),
      }),
    ),
  );
  for (const logType of PACKAGE_LOG_TYPES) {
    files.push(
      text(
        `events/${logType}.jsonl`,
        `every ${logType} event of the period, one JSON object a line; eventData is PostgreSQL's exact text of the event's data`,
        await eventLines(em, logType, period),
      ),
    );
  }
  const { first, last } = checkpoints;
  files.push(
    text(
      FIRST_CHECKPOINT,
      `the signed checkpoint of the log when the period began (tree size ${first.treeSize})`,
      first.note,
    ),
    text(
      LAST_CHECKPOINT,
      `the newest signed checkpoint when the package was made (tree size ${last.treeSize})`,
      last.note,
    ),
    text(
      CONSISTENCY_PROOF,
      `the RFC 9162 consistency proof that the tree of size ${first.treeSize} is a prefix of the tree of size ${last.treeSize}`,
      checkpoints.consistencyJson,
    ),
  );
  files.push(text(README_PATH, README_DESCRIPTION, packageReadme(period, files)));
  const manifestText = formatManifest({
    from: period.from,
    until: period.until,
    files: files.map((file) => ({ path: file.path, sha256: sha256(file.content), bytes: file.content.length })),
  });
  return {
    period,
    files,
    manifestText,
    manifestSha256: sha256(Buffer.from(manifestText, 'utf8')),
    firstTreeSize: first.treeSize,
    lastTreeSize: last.treeSize,
  };
}

/** The package's index: every file with its hash and size, sorted by path as the manifest lists them. */
export function packageIndex(built: CompliancePackage): PackageFileEntry[] {
  return built.files
    .map((file) => ({
      path: file.path,
      description: file.description,
      sha256: sha256(file.content),
      bytes: file.content.length,
    }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
