import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError, loadConfig } from '../base/config';

/** Days in a tier, or `permanent`: kept for good (compliance records, seed: "Permanent"). */
export type Days = number | 'permanent';

/**
 * How long one record type is kept, in days from its creation: `hotDays` on
 * fast storage, `databaseDays` in PostgreSQL (hot and warm, immediately
 * accessible), `keepDays` in all (the archive's cold tier holds it from the
 * end of `databaseDays` to the end of `keepDays`).
 */
export type Tier = { hotDays: Days; databaseDays: Days; keepDays: Days };

/**
 * The record types of the logging spec's retention schedule (seed "Data
 * Retention Schedule"; SEC Rule 204-2), as auditgraph holds them.
 */
export const RECORD_TYPES = {
  payloadBodies: 'API payload bodies: archived past the hot window, purged from the database past databaseDays',
  tradeRecords: 'decisions, executions, positions and TRADE/RISK events',
  navCalculations: 'NAV events',
  positionSnapshots: 'position snapshot events',
  systemLogs: 'SYSTEM events and the query audit log',
  complianceRecords: 'COMPLIANCE events, legal holds, corrections',
} as const;
export type RecordType = keyof typeof RECORD_TYPES;

/** Seven calendar years, whichever two of them hold a 29 February. */
const SEVEN_YEARS = 7 * 365 + 2;

/** The seed's schedule: hot 90 days, warm to 2 years, cold to 7 years; system logs 1 year; compliance for good. */
export const DEFAULT_POLICY: Readonly<Record<RecordType, Tier>> = {
  payloadBodies: { hotDays: 90, databaseDays: 730, keepDays: SEVEN_YEARS },
  tradeRecords: { hotDays: 90, databaseDays: 730, keepDays: SEVEN_YEARS },
  navCalculations: { hotDays: 90, databaseDays: 730, keepDays: SEVEN_YEARS },
  positionSnapshots: { hotDays: 90, databaseDays: 730, keepDays: SEVEN_YEARS },
  systemLogs: { hotDays: 30, databaseDays: 365, keepDays: 365 },
  complianceRecords: { hotDays: 'permanent', databaseDays: 'permanent', keepDays: 'permanent' },
};

export type RetentionPolicy = {
  /** The file the policy was read from; null: the seed's schedule. */
  file: string | null;
  tiers: Record<RecordType, Tier>;
};

/** At most a thousand years: a bound that stops an overflow, not a judgement. */
const days = z.union([z.number().int().min(0).max(365_250), z.literal('permanent')]);
const tierOverride = z.strictObject({ hotDays: days, databaseDays: days, keepDays: days }).partial();
const policyFile = z.strictObject(
  Object.fromEntries(Object.keys(RECORD_TYPES).map((type) => [type, tierOverride.optional()])) as Record<
    RecordType,
    z.ZodOptional<typeof tierOverride>
  >,
);

const ACCEPTS = `a whole number of days from 0 to 365250, or "permanent"`;
const order = (value: Days) => (value === 'permanent' ? Infinity : value);

/** The path of a zod issue as a key of the file: `payloadBodies.databaseDays`. */
function keyOf(issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') return [...path, ...issue.keys].join('.');
  return path.join('.') || '(the whole file)';
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const key = keyOf(issue);
  if (issue.code === 'unrecognized_keys') {
    const known = issue.path.length === 0 ? Object.keys(RECORD_TYPES) : ['hotDays', 'databaseDays', 'keepDays'];
    return `${key} is not known (known: ${known.join(', ')})`;
  }
  if (issue.path.length === 0) return 'the file must hold one JSON object of record types';
  if (issue.path.length === 1) return `${key} must be an object of hotDays, databaseDays, keepDays`;
  return `${key} must be ${ACCEPTS}`;
}

/**
 * The policy in `text` (the contents of `file`): each record type it names
 * overrides the seed's tiers it gives, the others stay the seed's. Throws a
 * ConfigError naming the file and every bad key: unknown record types and
 * fields are refused (a typo would silently keep a default), and so is a tier
 * shorter than the one before it (hot ≤ database ≤ keep).
 */
export function parseRetentionPolicy(text: string, file: string): RetentionPolicy {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`retention policy ${file} is not JSON: ${(error as Error).message}`);
  }
  const parsed = policyFile.safeParse(json);
  if (!parsed.success)
    throw new ConfigError(`retention policy ${file}: ${parsed.error.issues.map(describeIssue).join('; ')}`);
  const tiers = Object.fromEntries(
    (Object.keys(RECORD_TYPES) as RecordType[]).map((type) => [
      type,
      { ...DEFAULT_POLICY[type], ...parsed.data[type] },
    ]),
  ) as Record<RecordType, Tier>;
  const disordered = Object.entries(tiers).flatMap(([type, tier]) => {
    if (order(tier.hotDays) > order(tier.databaseDays)) return [`${type}.hotDays is longer than its databaseDays`];
    if (order(tier.databaseDays) > order(tier.keepDays)) return [`${type}.databaseDays is longer than its keepDays`];
    return [];
  });
  if (disordered.length > 0) throw new ConfigError(`retention policy ${file}: ${disordered.join('; ')}`);
  return { file, tiers };
}

/** The effective policy: AUDITGRAPH_RETENTION_POLICY_FILE's when set, else the seed's schedule. */
export function loadRetentionPolicy(file: string | undefined = loadConfig().retentionPolicyFile): RetentionPolicy {
  if (file === undefined) return { file: null, tiers: { ...DEFAULT_POLICY } };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`retention policy ${file} cannot be read: ${(error as Error).message}`);
  }
  return parseRetentionPolicy(text, file);
}
