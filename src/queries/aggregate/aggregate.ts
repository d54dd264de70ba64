import {
  type EntityManager,
  type EntityMetadata,
  type EntityProperty,
  type QueryBuilder,
  raw,
} from '@mikro-orm/postgresql';
import { BadInputError, ResultTooLargeError } from '../../base/errors';
import { sqlStateOf } from '../../base/sql-state';
import { MAX_GROUPS } from '../../graphql/aggregate-limits';
import { listConditionsOf } from '../find-page';
import { whereScopeOf } from '../where-scope';
import { metadataOf } from '../read-model';
import type { WhereTree } from '../where-conditions';
import type { AggregateFamily, GroupKey, Measure } from './aggregate-families';

/** An average of a decimal is rounded half away from zero (PostgreSQL's `round`) to this many places. */
export const AVERAGE_SCALE = 8;

export type AggregateArgs = {
  where: WhereTree | null | undefined;
  /** Key names of the family, each at most once; none: one group of every record. */
  groupBy: readonly string[];
  /** A name checked by timeZoneOf: the zone days, weeks and months are of. */
  timeZone: string;
};

/** Sum, average, least and greatest of a measure over a group's records that have it; exact decimal text. */
export type Stats = { sum: string | null; avg: string | null; min: string | null; max: string | null };

export type AggregateGroup = {
  keys: Record<string, unknown>;
  count: number;
  measures: Record<string, Stats>;
};

/**
 * A groupBy naming a key twice: a malformed request, refused before any SQL
 * with a 400 (as an unknown key is), not an answer with an error in it.
 */
class RepeatedKeyError extends BadInputError {
  readonly extensions = { http: { status: 400 } };
}

/** A key as the GroupBy enums spell it (GraphQL enum style): httpStatus → HTTP_STATUS. */
export const groupByValueOf = (key: string) => key.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();

/** PostgreSQL's SQLSTATE for an unknown time zone name (one Intl knows and its tz database does not). */
const INVALID_PARAMETER_VALUE = '22023';

/**
 * The groups of a family's records under `where`, in one statement: the
 * records are narrowed by the very conditions their list uses (so a group's
 * count is that list's totalCount under the same where and keys), grouped
 * by PostgreSQL, ordered by the keys (text in byte order, nulls last), at
 * most MAX_GROUPS of them or refused whole.
 */
export async function aggregate(
  em: EntityManager,
  family: AggregateFamily,
  typeName: string,
  args: AggregateArgs,
): Promise<AggregateGroup[]> {
  const repeated = args.groupBy.find((key, index) => args.groupBy.indexOf(key) !== index);
  if (repeated !== undefined)
    throw new RepeatedKeyError(
      `\`groupBy\` names ${groupByValueOf(repeated)} more than once: give each key once`,
      'groupBy',
    );
  const meta = metadataOf<object>(em, family.entity);
  // The list's own columns and derivations (a current status), as its where: reads them.
  const scope = whereScopeOf(em, family.entity, 'n');
  const columnOf = (property: string) => scope.column(property)!.sql;
  const conditions = await listConditionsOf(em, {
    entity: family.entity,
    typeName,
    filter: {},
    where: { tree: args.where, argument: 'where' },
  });

  const qb = em.createQueryBuilder<object, 'n'>(family.entity, 'n');
  const params: unknown[] = [];
  const sqlOf = keySqlOf(em, meta, qb, columnOf, () => {
    params.push(args.timeZone);
    return columnOf(family.timeProperty);
  });
  const measureSql = (measure: Measure): string =>
    'product' in measure
      ? measure.product.map(columnOf).join(' * ')
      : `extract(epoch from ${columnOf(measure.to)} - ${columnOf(measure.millisecondsFrom)}) * 1000`;

  const keys = args.groupBy.map((name, index) => ({ name, alias: `k${index}`, ...sqlOf(family.keys[name]!) }));
  const measures = Object.entries(family.measures).map(([name, measure], index) => ({
    name,
    alias: `m${index}`,
    sql: measureSql(measure),
  }));
  const inner = [...keys, ...measures].map(({ sql, alias }) => `${sql} as ${alias}`);
  qb.select(raw(inner.length > 0 ? inner.join(', ') : '1 as one', params));
  for (const condition of conditions) qb.andWhere(condition.sql, condition.params);

  const knex = em.getConnection().getKnex();
  const outer = knex
    .select(
      knex.raw(
        [
          ...keys.map(({ alias }) => alias),
          'count(*)::int as count',
          ...measures.flatMap(({ alias }) => [
            `sum(${alias})::text as ${alias}_sum`,
            `round(avg(${alias}), ${AVERAGE_SCALE})::text as ${alias}_avg`,
            `min(${alias})::text as ${alias}_min`,
            `max(${alias})::text as ${alias}_max`,
          ]),
        ].join(', '),
      ),
    )
    .from(qb.getKnexQuery().as('g'))
    .limit(MAX_GROUPS + 1);
  if (keys.length > 0) {
    outer.groupByRaw(keys.map(({ alias }) => alias).join(', '));
    outer.orderByRaw(keys.map(({ alias, text }) => `${alias}${text ? ' collate "C"' : ''} nulls last`).join(', '));
  }

  const rows = await em
    .getConnection()
    .execute<Record<string, unknown>[]>(outer as never)
    .catch((error: unknown) => {
      if (sqlStateOf(error) === INVALID_PARAMETER_VALUE)
        throw new BadInputError(`the database knows no time zone ${JSON.stringify(args.timeZone)}`, 'timeZone');
      throw error;
    });
  if (rows.length > MAX_GROUPS)
    throw new ResultTooLargeError(
      `more than ${MAX_GROUPS.toLocaleString('en')} groups: narrow \`where\` or group by fewer or coarser keys`,
    );
  return rows.map((row) => ({
    keys: Object.fromEntries(keys.map(({ name, alias }) => [name, row[alias]])),
    count: row.count as number,
    measures: Object.fromEntries(
      measures.map(({ name, alias }) => [
        name,
        {
          sum: row[`${alias}_sum`],
          avg: row[`${alias}_avg`],
          min: row[`${alias}_min`],
          max: row[`${alias}_max`],
        } as Stats,
      ]),
    ),
  }));
}

const propertyOf = (owner: EntityMetadata<object>, name: string) =>
  owner.properties[name as keyof object] as EntityProperty;

/**
 * Each key's SQL on alias `n` (joining a many-to-one's record once, for a key
 * of it), and whether its values are text — ordered byte by byte, whatever the
 * database's collation. `zonedTime` gives the time column and binds the zone.
 */
function keySqlOf(
  em: EntityManager,
  meta: EntityMetadata<object>,
  qb: QueryBuilder<object, 'n'>,
  columnOf: (property: string) => string,
  zonedTime: () => string,
): (key: GroupKey) => { sql: string; text: boolean } {
  const joined = new Set<string>();
  const isText = (owner: EntityMetadata<object>, property: string) =>
    propertyOf(owner, property).columnTypes?.[0] === 'text';
  return (key) => {
    if ('unit' in key) {
      const bucket = `date_trunc('${key.unit}', ${zonedTime()} at time zone ?)`;
      return { sql: `to_char(${bucket}, 'YYYY-MM-DD')`, text: true };
    }
    if (!('relation' in key)) return { sql: columnOf(key.property), text: isText(meta, key.property) };
    const alias = `r_${key.relation.toLowerCase()}`;
    if (!joined.has(key.relation)) qb.leftJoin(`n.${key.relation}` as never, alias);
    joined.add(key.relation);
    const target = metadataOf<object>(em, propertyOf(meta, key.relation).type);
    return { sql: `${alias}.${propertyOf(target, key.property).fieldNames[0]}`, text: isText(target, key.property) };
  };
}
