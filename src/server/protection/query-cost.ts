import type { ApolloServerPlugin } from '@apollo/server';
import {
  type DocumentNode,
  type FragmentDefinitionNode,
  getNamedType,
  Kind,
  GraphQLError,
  type GraphQLField,
  isLeafType,
  isListType,
  isNonNullType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import { type ComplexityEstimator, getComplexity } from 'graphql-query-complexity';
import { SCAN_COST } from '../../graphql/aggregate-limits';
import { DEFAULT_PAGE_SIZE, TOTAL_COUNT_COST } from '../../graphql/pagination/connection';

/** Lists without a size argument (report rows, a correlation trail) count as this many items. */
const UNSIZED_LIST_ITEMS = 10;

const isList = (type: GraphQLOutputType): boolean => isListType(isNonNullType(type) ? type.ofType : type);

type Fragments = ReadonlyMap<string, FragmentDefinitionNode>;

/**
 * Cost ≈ the number of objects an operation can return, as GitHub's API
 * counts nodes: an object field costs 1 plus what is selected under it, and a
 * list multiplies that by the items it may hold — the page size asked for
 * (`first`/`last`, else the default), `maxNodes` of a lineage walk, the ids of
 * `nodes`, a report's `limit`. Scalars cost nothing, but for a connection's
 * `totalCount`: a connection that selects it costs TOTAL_COUNT_COST more
 * (once, whatever its page size or aliases, as it runs one count), and an
 * aggregate costs its `scanCost` more than its groups, for the same reason.
 */
const objectCountEstimator =
  (fragments: Fragments): ComplexityEstimator =>
  ({ type, field, node, args, childComplexity }) => {
    if (isLeafType(getNamedType(field.type))) return 0;
    // The edges and nodes of a connection, and a lineage graph's node and edge
    // lists, are already multiplied by the page size or maxNodes asked of their parent.
    const sizedByParent = type.name.endsWith('Connection') || type.name === 'LineageGraph';
    const objects = (sizedByParent ? 1 : itemsOf(field, args)) * (1 + childComplexity);
    const counted =
      getNamedType(field.type).name.endsWith('Connection') && selectsTotalCount(node.selectionSet, fragments);
    return objects + (counted ? TOTAL_COUNT_COST : 0) + scanCostOf(field);
  };

/** Whether a connection's selection asks for `totalCount`, directly or through fragments. */
function selectsTotalCount(set: SelectionSetNode | undefined, fragments: Fragments, seen = new Set<string>()): boolean {
  return (set?.selections ?? []).some((selection) => {
    if (selection.kind === Kind.FIELD) return selection.name.value === 'totalCount';
    if (selection.kind === Kind.INLINE_FRAGMENT) return selectsTotalCount(selection.selectionSet, fragments, seen);
    const name = selection.name.value;
    if (seen.has(name)) return false;
    seen.add(name);
    return selectsTotalCount(fragments.get(name)?.selectionSet, fragments, seen);
  });
}

/**
 * What a field that reads every row its arguments leave (an aggregate) adds
 * to its objects: its `scanCost` extension (see aggregate-limits.ts), else nothing.
 */
function scanCostOf(field: GraphQLField<unknown, unknown>): number {
  const cost = field.extensions?.[SCAN_COST];
  return typeof cost === 'number' ? cost : 0;
}

function itemsOf(field: GraphQLField<unknown, unknown>, args: Record<string, unknown>): number {
  // Arguments arrive with their defaults applied (lineage's maxNodes, for one).
  const size = [args.first, args.last, args.maxNodes, args.limit].find(
    (value): value is number => typeof value === 'number',
  );
  if (size !== undefined) return Math.max(size, 1);
  if (Array.isArray(args.ids)) return Math.max(args.ids.length, 1);
  if (getNamedType(field.type).name.endsWith('Connection')) return DEFAULT_PAGE_SIZE;
  return isList(field.type) ? UNSIZED_LIST_ITEMS : 1;
}

/** The estimated cost of one operation of a document; throws a GraphQLError if its variables do not fit. */
function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName?: string | null,
  variables?: Record<string, unknown> | null,
): number {
  return getComplexity({
    schema,
    query: document,
    operationName: operationName ?? undefined,
    variables: variables ?? {},
    estimators: [objectCountEstimator(fragmentsOf(document))],
  });
}

const fragmentsOf = (document: DocumentNode): Fragments =>
  new Map(
    document.definitions
      .filter((definition) => definition.kind === Kind.FRAGMENT_DEFINITION)
      .map((definition) => [definition.name.value, definition]),
  );

/** Distinct (document, operation, size-variables) costs remembered; Apollo caches parsed documents the same way. */
const COST_CACHE_SIZE = 1_000;

/**
 * Refuses, before anything runs, an operation whose estimated cost is over
 * the limit: 400 QUERY_TOO_COSTLY with the cost, so the client can ask for less.
 * Costs are remembered per document, operation and the variables that can
 * size a list (numbers and arrays): clients send the same documents with
 * other ids, and the walk is the dearest step before execution.
 */
export function queryCostLimitPlugin<T extends object>(maxCost: number): ApolloServerPlugin<T> {
  const known = new Map<string, number>();
  return {
    async requestDidStart({ schema }) {
      return {
        async didResolveOperation({ request, document, queryHash }) {
          const sizing = Object.entries(request.variables ?? {}).filter(
            ([, value]) => typeof value === 'number' || Array.isArray(value),
          );
          const key = JSON.stringify([queryHash, request.operationName ?? null, sizing]);
          let cost = known.get(key);
          if (cost === undefined) {
            try {
              cost = operationCost(schema, document, request.operationName, request.variables);
            } catch (error) {
              // Variables that do not fit their types: execution refuses them with BAD_USER_INPUT.
              if (error instanceof GraphQLError) return;
              throw error;
            }
            if (known.size >= COST_CACHE_SIZE) known.delete(known.keys().next().value!);
            known.set(key, cost);
          }
          if (cost > maxCost) {
            throw new GraphQLError(
              `the operation could return about ${cost.toLocaleString('en')} objects, ` +
                `over the limit of ${maxCost.toLocaleString('en')}: ask for smaller pages or fewer levels`,
              { extensions: { code: 'QUERY_TOO_COSTLY', cost, maxCost, http: { status: 400 } } },
            );
          }
        },
      };
    },
  };
}
