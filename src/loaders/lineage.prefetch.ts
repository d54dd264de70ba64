import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import type { FieldNode, GraphQLResolveInfo, SelectionSetNode } from 'graphql';
import type { NodeType } from '../graphql/global-id';
import type { ConnectionArgs, ConnectionResult } from '../graphql/pagination/connection';
import { pageShape } from '../graphql/pagination/find-page';
import { argumentsOf, connectionNodeSelections, selectedFields } from '../graphql/selection';
import { recordBatch } from '../metrics/dataloader-metrics';
import { uniqueKeySql } from './batch';
import { childPageSql, groupByParent, type RankedRow } from './child-page';
import type { Loaders } from './index';
import { keyLoader } from './key-loaders';
import { runPrepared } from './prepared-statement';
import { jsonRowSql, metadataOf, readModelOf } from './read-model';

type Row = { id: string } & object;
type KeyLoaderName = 'ingestionRunById' | 'payloadById' | 'decisionById' | 'positionById';
type ListLoaderName =
  | 'payloadsByIngestionRun'
  | 'executionsByPayload'
  | 'decisionsByInputPayload'
  | 'inputPayloadsByDecision'
  | 'executionsByDecision'
  | 'executionsByPosition';

/** A field that leads to one record through a foreign key of the row, read by a key loader. */
type ToOne = { kind: 'one'; type: NodeType; column: string; loader: KeyLoaderName };
/** A field that leads to a page of a node's own list, read by a child-page loader. */
type ToList = { kind: 'list'; type: NodeType; loader: ListLoaderName };

/**
 * The lineage fields a prefetch can read ahead, each with the loader its
 * resolver calls (the resolvers in src/resolvers are the truth; this mirrors
 * them). A mismatch could only waste a read, never change an answer: each
 * level primes a loader with rows from that loader's own SQL, keyed as it
 * keys them. Audit-event lists are left to their loaders.
 */
const RELATIONS: Record<NodeType, Record<string, ToOne | ToList>> = {
  IngestionRun: { payloads: { kind: 'list', type: 'ApiPayload', loader: 'payloadsByIngestionRun' } },
  ApiPayload: {
    ingestionRun: { kind: 'one', type: 'IngestionRun', column: 'ingestion_run_id', loader: 'ingestionRunById' },
    executions: { kind: 'list', type: 'TradeExecution', loader: 'executionsByPayload' },
    decisions: { kind: 'list', type: 'TradeDecision', loader: 'decisionsByInputPayload' },
  },
  TradeDecision: {
    inputs: { kind: 'list', type: 'ApiPayload', loader: 'inputPayloadsByDecision' },
    executions: { kind: 'list', type: 'TradeExecution', loader: 'executionsByDecision' },
  },
  TradeExecution: {
    decision: { kind: 'one', type: 'TradeDecision', column: 'trade_decision_id', loader: 'decisionById' },
    requestPayload: { kind: 'one', type: 'ApiPayload', column: 'api_request_payload_id', loader: 'payloadById' },
    responsePayload: { kind: 'one', type: 'ApiPayload', column: 'api_response_payload_id', loader: 'payloadById' },
    position: { kind: 'one', type: 'Position', column: 'position_id', loader: 'positionById' },
  },
  Position: { executions: { kind: 'list', type: 'TradeExecution', loader: 'executionsByPosition' } },
};

type Page = { args: ConnectionArgs; forward: boolean; size: number };
/** One selected relation field, and what is selected below it. */
type Step = { relation: ToOne | ToList; page: Page | null; below: Step[] };
/** The relation steps selected below a root, and their shape as text: a statement's cache key, computed once. */
type Plan = { steps: Step[]; shape: string };
type Lookup = { type: NodeType; property: string; key: string; plan: Plan };
type Level = { name: string; step: Step; parent: string };

/**
 * Reading ahead: where an operation selects lineage below a record, every
 * level of it is read in one SQL statement — each level a CTE over the one
 * before, built from the loaders' own key and child-page SQL — instead of one
 * statement per level, as PostGraphile compiles a nested query. It does not
 * answer anything itself: it primes the request's loaders with exactly the
 * records and pages they would have read, so every resolver, authorization
 * check and page rule runs unchanged and finds its data loaded. Pages after
 * a cursor and page sizes out of range are left to their loaders (which
 * check them), as are audit-event lists.
 */
export function lineagePrefetchLoader(em: EntityManager, loaders: Loaders): DataLoader<Lookup, Row | null, string> {
  return new DataLoader<Lookup, Row | null, string>(
    async (lookups) => {
      recordBatch('lineage.prefetch', lookups.length);
      // Records asked together (aliases) with the same selection share one statement.
      const groups = new Map<string, Lookup[]>();
      for (const lookup of lookups) {
        const key = `${lookup.type}.${lookup.property}|${lookup.plan.shape}`;
        const group = groups.get(key);
        if (group) group.push(lookup);
        else groups.set(key, [lookup]);
      }
      for (const group of groups.values()) await prefetchLookups(em, loaders, group);
      return Promise.all(
        lookups.map((lookup) => keyLoader<Row>(loaders, lookup.type, lookup.property).load(lookup.key)),
      );
    },
    { cacheKeyFn: (lookup) => `${lookup.type}.${lookup.property}|${lookup.key}|${lookup.plan.shape}` },
  );
}

/**
 * A record by `property` (its id or external id), read with the lineage the
 * operation selects below it in one statement; the plain key lookup when
 * nothing below it is selected.
 */
export function lookupWithLineage<T>(
  loaders: Loaders,
  info: GraphQLResolveInfo,
  type: NodeType,
  property: string,
  key: string,
): Promise<T | null> {
  const plan = planOf(
    info,
    type,
    info.fieldNodes.map((node) => node.selectionSet),
  );
  if (!plan) return keyLoader<T>(loaders, type, property).load(key);
  return loaders.lineagePrefetch.load({ type, property, key, plan }) as Promise<T | null>;
}

/** A page a list field answered, with the lineage its selection asks below the page's nodes read ahead in one more statement. */
export async function withLineageBelow<T extends Row>(
  context: { em: EntityManager; loaders: Loaders },
  info: GraphQLResolveInfo,
  type: NodeType,
  page: ConnectionResult<T>,
): Promise<ConnectionResult<T>> {
  const plan = planOf(
    info,
    type,
    info.fieldNodes.flatMap((node) => connectionNodeSelections(info, node)),
  );
  if (plan && page.nodes.length > 0) {
    const root = {
      key: `${type}.page`,
      type: null,
      sql: () => uniqueKeySql(metadataOf<Row>(context.em, type), 'id', '?'),
    };
    await prefetch(
      context.em,
      context.loaders,
      root,
      plan,
      page.nodes.map((node) => node.id),
    );
  }
  return page;
}

const listLoader = (loaders: Loaders, name: ListLoaderName) =>
  loaders[name] as unknown as {
    list: Parameters<typeof childPageSql>[0];
    prime(parentId: string, args: ConnectionArgs, rows: Row[]): void;
  };

/** What is selected below `type` for reading ahead, or null when nothing is. */
function planOf(
  info: GraphQLResolveInfo,
  type: NodeType,
  sets: readonly (SelectionSetNode | undefined)[],
): Plan | null {
  const steps = stepsBelow(info, type, sets);
  return steps.length > 0 ? { steps, shape: shapeOf(steps) } : null;
}

/** The relation fields selected on `type`, recursively. */
function stepsBelow(info: GraphQLResolveInfo, type: NodeType, sets: readonly (SelectionSetNode | undefined)[]): Step[] {
  const steps: Step[] = [];
  for (const [name, fields] of selectedFields(info, sets)) {
    const relation = RELATIONS[type][name];
    if (!relation) continue;
    if (relation.kind === 'one') {
      steps.push({
        relation,
        page: null,
        below: stepsBelow(
          info,
          relation.type,
          fields.map((field) => field.selectionSet),
        ),
      });
      continue;
    }
    // Aliases of a list may ask different pages: the first is read ahead, the others by their loader.
    const field = fields[0]!;
    const page = readAheadPage(info, type, field);
    if (page)
      steps.push({ relation, page, below: stepsBelow(info, relation.type, connectionNodeSelections(info, field)) });
  }
  return steps;
}

function readAheadPage(info: GraphQLResolveInfo, type: NodeType, field: FieldNode): Page | null {
  const args = argumentsOf<ConnectionArgs>(info, type, field);
  if (args.after || args.before) return null;
  try {
    return { args, ...pageShape(args) };
  } catch {
    // A page size out of range is refused by the list's own resolver, with the field's path.
    return null;
  }
}

const shapeOf = (steps: Step[]): string =>
  steps
    .map(
      (step) =>
        `${step.relation.loader}:${step.relation.kind === 'one' ? step.relation.column : `${step.page!.forward}${step.page!.size}`}(${shapeOf(step.below)})`,
    )
    .join(',');

async function prefetchLookups(em: EntityManager, loaders: Loaders, lookups: Lookup[]): Promise<void> {
  const { type, property, plan } = lookups[0]!;
  const keys = lookups.map((lookup) => lookup.key);
  const root = {
    key: `${type}.${property}`,
    type,
    sql: () => uniqueKeySql(metadataOf<Row>(em, type), property as never, '?'),
  };
  const levels = await prefetch(em, loaders, root, plan, keys);
  const found = new Map((levels.root ?? []).map((row) => [String(row[property as keyof typeof row]), row]));
  const loader = keyLoader<Row>(loaders, type, property);
  for (const key of keys) loader.prime(key, found.get(key) ?? null);
}

type Root = {
  /** Names the root's SQL in the statement cache. */
  key: string;
  /** The root's rows are returned (a lookup) or only led from (a page already read). */
  type: NodeType | null;
  /** SQL of the root rows over the bound keys (`?`, one array). */
  sql: () => string;
};

/** Every relation step below the root, depth first, each named for its CTE and its parent's. */
function levelsOf(steps: Step[]): Level[] {
  const levels: Level[] = [];
  const walk = (parent: string, below: Step[]) => {
    for (const step of below) {
      const name = `l${levels.length}`;
      levels.push({ name, step, parent });
      walk(name, step.below);
    }
  };
  walk('r', steps);
  return levels;
}

/** Statements by root and plan shape; bounded, as shapes come from clients. */
const statements = new Map<string, string>();
const MAX_STATEMENTS = 500;

function statementFor(em: EntityManager, loaders: Loaders, root: Root, plan: Plan, levels: Level[]): string {
  const key = `${root.key}|${root.type ?? ''}|${plan.shape}`;
  const known = statements.get(key);
  if (known) return known;
  const ctes = [`r as (${root.sql()})`];
  const outputs = root.type
    ? [`'r', (select coalesce(json_agg(${jsonRowSql(metadataOf<Row>(em, root.type), 't')}), '[]'::json) from r t)`]
    : [];
  const isPage = new Set<string>();
  for (const { name, step, parent } of levels) {
    // Only a page's own rows lead on: the extra row fetched says "there is more" and nothing else.
    const parentRows = `from ${parent}${isPage.has(parent) ? ' where page_rank <= page_size' : ''}`;
    const meta = metadataOf<Row>(em, step.relation.type);
    if (step.relation.kind === 'one') {
      ctes.push(`${name} as (${uniqueKeySql(meta, 'id', `array(select ${step.relation.column} ${parentRows})`)})`);
      outputs.push(`'${name}', (select coalesce(json_agg(${jsonRowSql(meta, 't')}), '[]'::json) from ${name} t)`);
    } else {
      isPage.add(name);
      const { forward, size } = step.page!;
      const { list } = listLoader(loaders, step.relation.loader);
      // Page sizes are validated integers (0 to 100), written into the text.
      ctes.push(
        `${name} as (select *, ${size} as page_size from (${childPageSql(list, { forward, parents: `array(select id ${parentRows})`, limit: String(size + 1) })}) page)`,
      );
      outputs.push(
        `'${name}', (select coalesce(json_agg(${jsonRowSql(meta, 't', ['parent_id', 'page_rank'])} order by t.parent_id, t.page_rank), '[]'::json) from ${name} t)`,
      );
    }
  }
  const sql = `with ${ctes.join(',\n')}\nselect json_build_object(${outputs.join(', ')}) as levels`;
  if (statements.size >= MAX_STATEMENTS) statements.clear();
  statements.set(key, sql);
  return sql;
}

/**
 * Runs the statement for the plan's steps below the root's rows (the keys bound as one
 * array the driver escapes) and primes the loaders; returns the root's rows
 * as read models when the root asks for them.
 */
async function prefetch(
  em: EntityManager,
  loaders: Loaders,
  root: Root,
  plan: Plan,
  keys: string[],
): Promise<{ root?: Row[] }> {
  const levels = levelsOf(plan.steps);
  const { rows } = await runPrepared<{ levels: Record<string, RankedRow[]> }>(
    em,
    statementFor(em, loaders, root, plan, levels),
    [keys],
  );
  const read = rows[0]!.levels;

  // Entity class names are the node type names.
  const toModel = (type: NodeType) => readModelOf<Row>(em, type);
  // Which parents each level read children for: every row of a record level, a page's own rows of a list level.
  const rootRows = root.type ? (read.r ?? []).map(toModel(root.type)) : undefined;
  const parentsOf = new Map<string, string[]>([['r', rootRows ? rootRows.map((row) => row.id) : keys]]);
  for (const { name, step, parent } of levels) {
    const rowsRead = read[name] ?? [];
    if (step.relation.kind === 'one') {
      const models = rowsRead.map(toModel(step.relation.type));
      const loader = loaders[step.relation.loader] as DataLoader<string, Row | null>;
      for (const model of models) loader.prime(model.id, model);
      parentsOf.set(
        name,
        models.map((model) => model.id),
      );
    } else {
      const { args, size } = step.page!;
      const byParent = groupByParent(rowsRead, toModel(step.relation.type));
      const loader = listLoader(loaders, step.relation.loader);
      for (const parentId of parentsOf.get(parent)!) loader.prime(parentId, args, byParent.get(parentId) ?? []);
      parentsOf.set(
        name,
        rowsRead.filter((row) => Number(row.page_rank) <= size).map((row) => String(row.id)),
      );
    }
  }
  return { root: rootRows };
}
