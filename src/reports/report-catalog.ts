import type { EntityManager } from '@mikro-orm/postgresql';
import { stringify } from 'csv-stringify/sync';
import { apiErrors, type ApiErrorGroup } from './api-errors.report';
import { dailySummary, type DailySummary } from './daily-summary.report';
import { executionQuality, type ExecutionQuality } from './execution-quality.report';
import { failureAnalysis, type FailureAnalysis } from './failure-analysis.report';
import type { IntegrityReport } from './integrity.report';
import { daysPeriod } from './period';
import { strategyPerformance, type StrategyPerformance } from './strategy-performance.report';
import { symbolReport, type SymbolReport } from './symbol-report.report';
import { BLOTTER_COLUMNS, tradeBlotter, type BlotterLine } from './trade-blotter.report';
import { compareInstants, type Instant } from '../time/instant';
import { timeZoneOf } from '../time/time-zone';

/** What the command line passes to a report; each report says which it needs. */
export type ReportOptions = {
  date?: string;
  from?: string;
  to?: string;
  symbol?: string;
  strategy?: string;
  /** An IANA name the days are read in; UTC when absent. */
  timeZone?: string;
};

/** The report options that narrow what a report reads, as the command line names them. */
export const REPORT_FILTERS = ['symbol', 'strategy'] as const;
export type ReportFilter = (typeof REPORT_FILTERS)[number];

/** One flat table per report: what `--format table` prints and `--format csv` writes. */
export type Table = { columns: string[]; rows: unknown[][] };

export type ReportDefinition<T = unknown> = {
  description: string;
  /** `date`: one day; `range`: --from and --to (days, included). */
  period: 'date' | 'range';
  /** The filters it reads (--symbol, --strategy); any other is refused, not ignored. */
  filters?: readonly ReportFilter[];
  run(em: EntityManager, options: ReportOptions): Promise<T>;
  table(result: T): Table;
};

/** The execution-quality table's latency column groups. */
const LATENCY_COLUMNS: ['decisionLatency' | 'brokerLatency' | 'fillLatency', string][] = [
  ['decisionLatency', 'decision'],
  ['brokerLatency', 'broker'],
  ['fillLatency', 'fill'],
];

const define = <T>(definition: ReportDefinition<T>) => definition as ReportDefinition<unknown> & ReportDefinition<T>;

export const REPORTS = {
  'daily-summary': define<DailySummary>({
    description: "one day's ingestion, decisions, executions, failure rate, stuck decisions and API errors",
    period: 'date',
    run: (em, options) => dailySummary(em, { date: options.date!, timeZone: options.timeZone }),
    table: (summary) => ({
      columns: ['metric', 'value'],
      rows: [
        ['date', summary.date],
        ['ingestion runs', summary.ingestion.runs],
        ['records fetched', summary.ingestion.recordsFetched],
        ['failed runs', summary.ingestion.failed],
        ...summary.decisionsByStatus.map(({ status, count }) => [`decisions ${status}`, count]),
        ...summary.executionsByStatus.map(({ status, count }) => [`executions ${status}`, count]),
        ['failure rate', summary.failureRate === null ? '' : summary.failureRate.toFixed(4)],
        ['failure rate over 30%', summary.failureRateExceeded ? 'YES' : 'no'],
        [`pending over ${summary.stuckThresholdMinutes} min`, summary.stuckPendingCount],
        ['API responses 4xx', summary.apiClientErrors],
        ['API responses 5xx', summary.apiServerErrors],
      ],
    }),
  }),
  'strategy-performance': define<StrategyPerformance[]>({
    description: 'per strategy: decisions, outcomes, success rate (under 50% flagged)',
    period: 'range',
    filters: ['strategy'],
    run: (em, options) =>
      strategyPerformance(em, {
        from: options.from!,
        to: options.to!,
        strategy: options.strategy ?? null,
        timeZone: options.timeZone,
      }),
    table: (rows) => ({
      columns: ['strategy', 'decisions', 'executed', 'failed', 'cancelled', 'pending', 'success rate', 'under 50%'],
      rows: rows.map((row) => [
        row.strategy,
        row.decisions,
        row.executed,
        row.failed,
        row.cancelled,
        row.pending,
        row.successRate === null ? '' : row.successRate.toFixed(4),
        row.belowThreshold ? 'YES' : 'no',
      ]),
    }),
  }),
  'failure-analysis': define<FailureAnalysis>({
    description: 'rejected executions by reason, raw message, strategy and symbol',
    period: 'range',
    run: (em, options) => failureAnalysis(em, { from: options.from!, to: options.to!, timeZone: options.timeZone }),
    table: (analysis) => ({
      columns: ['grouped by', 'key', 'count'],
      rows: [
        ['total', '', analysis.total],
        ...analysis.byReason.map(({ key, count }) => ['reason', key, count]),
        ...analysis.otherMessages.map(({ key, count }) => ['other message', key, count]),
        ...analysis.byStrategy.map(({ key, count }) => ['strategy', key, count]),
        ...analysis.bySymbol.map(({ key, count }) => [
          analysis.repeatedlyFailingSymbols.includes(key) ? 'symbol (repeated)' : 'symbol',
          key,
          count,
        ]),
      ],
    }),
  }),
  symbol: define<SymbolReport>({
    description: 'every decision, execution and position change of one symbol (--symbol)',
    period: 'range',
    filters: ['symbol'],
    run: (em, options) =>
      symbolReport(em, {
        symbol: options.symbol ?? '',
        from: options.from!,
        to: options.to!,
        timeZone: options.timeZone,
      }),
    table: (report) => ({
      columns: ['time', 'record', 'id', 'detail'],
      rows: [
        ...report.decisions.map((d) => [
          d.createdAt,
          'decision',
          d.decisionId,
          `${d.status} ${d.side} ${d.quantity} by ${d.strategy}`,
        ]),
        ...report.executions.map((e) => [
          e.createdAt,
          'execution',
          e.executionId,
          `${e.status} ${e.filledQuantity}` +
            (e.fillPrice ? ` @ ${e.fillPrice}` : '') +
            (e.errorMessage ? `: ${e.errorMessage}` : ''),
        ]),
        ...report.positionChanges.map((c) => [
          c.time,
          'position change',
          c.executionId,
          `position ${c.positionDatabaseId} (${c.account}) ${c.change} → ${c.quantityAfter}`,
        ]),
      ].sort((a, b) => compareInstants(a[0] as Instant, b[0] as Instant)),
    }),
  }),
  'execution-quality': define<ExecutionQuality[]>({
    description: 'per strategy and symbol: latency (decision → order, broker round trip, fill) and slippage',
    period: 'range',
    run: (em, options) => executionQuality(em, { from: options.from!, to: options.to!, timeZone: options.timeZone }),
    table: (rows) => ({
      columns: [
        'strategy',
        'symbol',
        'executions',
        'fills',
        'ref limit price',
        'ref rationale',
        'ref request',
        'no ref',
        ...LATENCY_COLUMNS.flatMap(([, label]) => [`${label} p50 ms`, `${label} p95 ms`, `${label} max ms`]),
        'slippage cost',
        'avg slippage',
        'slippage bps',
        'worst bps',
      ],
      rows: rows.map((row) => [
        row.strategy,
        row.symbol,
        row.executions,
        row.fills,
        row.referenceFromLimitPrice,
        row.referenceFromRationale,
        row.referenceFromRequest,
        row.withoutReference,
        ...LATENCY_COLUMNS.flatMap(([field]) => [row[field].p50, row[field].p95, row[field].max]),
        row.slippageCost,
        row.averageSlippage,
        row.slippageBps,
        row.worstSlippageBps,
      ]),
    }),
  }),
  'api-errors': define<ApiErrorGroup[]>({
    description: 'API responses with status ≥ 400 by provider, endpoint and status',
    period: 'range',
    run: (em, options) => {
      const { from, until } = daysPeriod(options.from!, options.to!, timeZoneOf(options.timeZone, 'timeZone'));
      return apiErrors(em, { since: from, until });
    },
    table: (groups) => ({
      columns: ['provider', 'endpoint', 'status', 'count', 'first seen', 'last seen'],
      rows: groups.map((group) => [
        group.provider,
        group.endpoint,
        group.httpStatus,
        group.count,
        group.firstSeen,
        group.lastSeen,
      ]),
    }),
  }),
  'trade-blotter': define<BlotterLine[]>({
    description: 'the daily trade blotter: every fill of the day',
    period: 'date',
    run: (em, options) => tradeBlotter(em, { date: options.date!, timeZone: options.timeZone }),
    table: (lines) => ({
      columns: [...BLOTTER_COLUMNS],
      rows: lines.map((line) => BLOTTER_COLUMNS.map((column) => line[column])),
    }),
  }),
};

export type ReportName = keyof typeof REPORTS;

/** The integrity audit as one table: a row per flagged record, and a row for each clean check. */
export function integrityTable(report: IntegrityReport): Table {
  return {
    columns: ['check', 'count', 'type', 'databaseId', 'externalId', 'detail'],
    rows: [
      ...report.findings.flatMap((finding) =>
        finding.items.length === 0
          ? [[finding.check, finding.count, '', '', '', finding.count === 0 ? 'clean' : '']]
          : finding.items.map((item) => [
              finding.check,
              finding.count,
              item.type,
              item.databaseId,
              item.externalId ?? '',
              item.detail,
            ]),
      ),
      // Not a finding (the exit code ignores it): a day no one has certified yet.
      ...(report.unattestedDays.length === 0
        ? [['unattested days', report.unattestedDayCount, '', '', '', report.unattestedDayCount === 0 ? 'none' : '']]
        : report.unattestedDays.map((day) => ['unattested days', report.unattestedDayCount, '', '', '', day])),
    ],
  };
}

const cell = (value: unknown) =>
  value instanceof Date ? value.toISOString() : value === null || value === undefined ? '' : String(value);

/** RFC 4180 CSV with a header row. */
export function tableCsv(table: Table): string {
  return stringify([table.columns, ...table.rows.map((row) => row.map(cell))]);
}

export function reportCsv<T>(report: ReportDefinition<T>, result: T): string {
  return tableCsv(report.table(result));
}

/** Columns padded for a terminal; numbers right-aligned. */
export function tableText(table: Table): string {
  const rows = [table.columns, ...table.rows.map((row) => row.map(cell))];
  const widths = table.columns.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const numeric = table.columns.map(
    (_, column) => table.rows.length > 0 && table.rows.every((row) => typeof row[column] === 'number'),
  );
  const line = (row: string[]) =>
    row
      .map((value, column) => (numeric[column] ? value.padStart(widths[column]!) : value.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd();
  return (
    [line(rows[0]!), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.slice(1).map(line)].join('\n') + '\n'
  );
}
