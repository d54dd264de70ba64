import { BadInputError } from '../base/errors';
import { MAX_SEARCH_TEXT_LENGTH, StalePending, TextSearch } from '../graphql/where/predicate-inputs';
import { errorTextVector } from '../sql/search-vectors';
import { durationMilliseconds } from '../time/duration';
import { addMilliseconds, instantOf } from '../time/instant';
import {
  emptyRationaleSql,
  initialStatusOf,
  missingPayloadSql,
  multipleExecutionsFilterSql,
  stalePendingSql,
} from './integrity-predicates';

type Condition = { sql: string; params: unknown[] };

/**
 * A `where:` field that is a condition of its own rather than a column's
 * operators: its GraphQL input type, its description, and its SQL on row
 * `alias` for the value given (null: no condition).
 */
export type WherePredicate = {
  type: () => unknown;
  description: string;
  condition: (alias: string, value: unknown, path: string) => Condition | null;
};

/** `true`: the condition holds; `false`: it does not. */
const flag = (description: string, sql: (alias: string) => string): WherePredicate => ({
  type: () => Boolean,
  description: `${description} true: only those; false: only the others.`,
  condition: (alias, value) => ({ sql: value ? sql(alias) : `not ${sql(alias)}`, params: [] }),
});

/** A full-text match on a text column through `vector`, as search() matches its kinds. */
const textSearch = (description: string, vector: (alias: string) => string): WherePredicate => ({
  type: () => TextSearch,
  description,
  condition: (alias, value, path) => {
    const { matches } = value as TextSearch;
    if (matches.trim() === '' || matches.length > MAX_SEARCH_TEXT_LENGTH)
      throw new BadInputError(`\`${path}.matches\` must be 1 to ${MAX_SEARCH_TEXT_LENGTH} characters of text`, path);
    return { sql: `${vector(alias)} @@ websearch_to_tsquery('english', ?)`, params: [matches] };
  },
});

/** Still pending and made before a cutoff: `olderThan` before now, or `createdBefore`. */
const stalePending = (table: string, records: string, note = ''): WherePredicate => ({
  type: () => StalePending,
  description:
    `${records} still pending (written ${initialStatusOf(table)} and never changed since) ` +
    `and made before a point, e.g. \`{ olderThan: "P7D" }\`${note}.`,
  condition: (alias, value, path) => {
    const { olderThan, createdBefore } = value as StalePending;
    if ((olderThan == null) === (createdBefore == null))
      throw new BadInputError(`\`${path}\` takes exactly one of \`olderThan\` and \`createdBefore\``, path);
    // The cutoff is fixed once per request, so a page and its totalCount agree.
    const cutoff = createdBefore ?? addMilliseconds(instantOf(new Date()), -durationMilliseconds(olderThan!));
    return { sql: stalePendingSql(table, alias, '?::timestamptz'), params: [cutoff] };
  },
});

/** The predicates each table's `where:` offers, by field name. */
const PREDICATES: Record<string, Record<string, WherePredicate>> = {
  trade_executions: {
    missingRequestPayload: flag('Executions with no broker request payload recorded (an integrity finding).', (a) =>
      missingPayloadSql(a, 'request'),
    ),
    missingResponsePayload: flag('Executions with no broker response payload recorded (an integrity finding).', (a) =>
      missingPayloadSql(a, 'response'),
    ),
    errorText: textSearch(
      "The broker's error message matches this full-text query, through the executions' search index.",
      errorTextVector,
    ),
    stalePending: stalePending('trade_executions', 'Executions'),
  },
  trade_decisions: {
    emptyRationale: flag(
      'Decisions recorded without a rationale: null or {} (an integrity finding).',
      emptyRationaleSql,
    ),
    multipleExecutions: flag(
      'Decisions carried out by more than one fill, the two legs of one fill split at zero counting once ' +
        '(an integrity finding: duplicates).',
      multipleExecutionsFilterSql,
    ),
    stalePending: stalePending('trade_decisions', 'Decisions', ': the integrity audit\'s "pending over a week"'),
  },
  data_ingestion_runs: {
    // No index: runs are the smallest table, and a scan of them stays well under 50 ms (measured in
    // test/where-predicates-index.test.ts).
    errorText: textSearch("The run's error message matches this full-text query.", errorTextVector),
  },
};

/** The predicates of `table`'s `where:` (none for most tables). */
export const wherePredicatesOf = (table: string): Readonly<Record<string, WherePredicate>> => PREDICATES[table] ?? {};
