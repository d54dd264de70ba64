import { TOTAL_COUNT_COST } from './pagination/connection';

/**
 * The most groups one aggregate answers. Past it the aggregate is refused
 * whole (RESULT_TOO_LARGE), never cut: narrow `where` or group by fewer keys.
 */
export const MAX_GROUPS = 10_000;

/**
 * What an aggregate is priced at by the query-cost limit, besides its groups:
 * like a `totalCount` it reads every row its `where` leaves, so it costs what
 * a count costs.
 */
export const AGGREGATE_COST = TOTAL_COUNT_COST;

/**
 * The field extension (type-graphql's `@Extensions`) the query-cost limit
 * reads a field's scan price from: an aggregate carries AGGREGATE_COST.
 */
export const SCAN_COST = 'scanCost';
