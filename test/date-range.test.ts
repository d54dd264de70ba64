/**
 * Issue 15 item 12: every DateTime argument, `YYYY-MM-DD` date argument and
 * quarter, given dates at the edges (years 0000/0001/0099/0100/1969/1970/
 * 9999/10000, leap days, impossible days, every offset, 0–9 fractional
 * digits), answers correctly or with BAD_USER_INPUT — never
 * INTERNAL_SERVER_ERROR. The arguments are found by walking the built schema,
 * so a new one is covered without touching this file. Which inputs are in
 * range is decided here by civil-calendar arithmetic of its own, not by the
 * gateway's parser.
 */
import fc from 'fast-check';
import {
  getNamedType,
  getNullableType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  GraphQLEnumType,
  GraphQLInputObjectType,
  GraphQLList,
  GraphQLNonNull,
  GraphQLScalarType,
  type GraphQLSchema,
} from 'graphql';
import { keyCaller } from '../src/auth/caller';
import { Role } from '../src/auth/roles';
import { gatewaySchema } from '../src/server/schema';
import { dates, dateTimes, quarters } from './harness/edge-dates';
import { startTestGateway, type TestGateway } from './harness/gateway';

const admin = keyCaller({ id: '1', name: 'admin', role: Role.admin, expiresAt: null }, 'test');

type Kind = 'dateTime' | 'date' | 'quarter';
/** One date-taking input of one root field: the argument, and the path of input fields inside it. */
type Target = {
  root: 'Query' | 'Mutation';
  field: GraphQLField<unknown, unknown>;
  argument: GraphQLArgument;
  path: string[];
  kind: Kind;
};

const kindOfScalar = (type: GraphQLInputType, name: string, description: string | null | undefined): Kind | null => {
  const named = getNamedType(type);
  if (named.name === 'DateTime') return 'dateTime';
  if (named.name !== 'String') return null;
  if (/YYYY-MM-DD/.test(description ?? '')) return 'date';
  if (name === 'quarter') return 'quarter';
  return null;
};

/**
 * Every DateTime, date and quarter input of every root field: its arguments, and every input
 * field of every input type an argument reaches, each (field that led to the type, type,
 * field) by the first, shortest path to it. The where inputs reach one another through relation filters, so every
 * path would be every ordering of the node types; a field's handling is its own, whatever the
 * path that leads to it.
 */
function targetsOf(schema: GraphQLSchema): Target[] {
  const targets: Target[] = [];
  for (const root of ['Query', 'Mutation'] as const) {
    const type = root === 'Query' ? schema.getQueryType() : schema.getMutationType();
    for (const field of Object.values(type?.getFields() ?? {})) {
      for (const argument of field.args) {
        const kind = kindOfScalar(argument.type, argument.name, argument.description);
        if (kind) targets.push({ root, field, argument, path: [], kind });
        const walked = new Set<string>();
        // Breadth first, so each field is reached by its shortest path.
        let level: { input: GraphQLInputType; path: string[] }[] = [{ input: argument.type, path: [] }];
        while (level.length > 0) {
          const next: typeof level = [];
          for (const { input, path } of level) {
            const named = getNamedType(input);
            if (!(named instanceof GraphQLInputObjectType)) continue;
            for (const inner of Object.values(named.getFields())) {
              // The field that led here is part of the key: `createdAt.gte` and `submittedAt.gte` differ.
              const edge = `${path.at(-1) ?? ''}>${named.name}.${inner.name}`;
              if (walked.has(edge)) continue;
              walked.add(edge);
              const innerPath = [...path, inner.name];
              const innerKind = kindOfScalar(inner.type, inner.name, inner.description);
              if (innerKind) targets.push({ root, field, argument, path: innerPath, kind: innerKind });
              next.push({ input: inner.type, path: innerPath });
            }
          }
          level = next;
        }
      }
    }
  }
  return targets;
}

/** A value of `type` that passes GraphQL's own checks, for the inputs not under test. */
function sampleOf(type: GraphQLInputType, name: string): unknown {
  if (type instanceof GraphQLNonNull) return sampleOf(type.ofType, name);
  if (type instanceof GraphQLList) return [sampleOf(type.ofType, name)];
  if (type instanceof GraphQLEnumType) return type.getValues()[0]!.name;
  if (type instanceof GraphQLInputObjectType) {
    return Object.fromEntries(
      Object.values(type.getFields())
        .filter((inner) => inner.type instanceof GraphQLNonNull)
        .map((inner) => [inner.name, sampleOf(inner.type, inner.name)]),
    );
  }
  const scalar = (type as GraphQLScalarType).name;
  const kind = kindOfScalar(type, name, null);
  if (kind === 'dateTime') return '2026-10-01T14:00:00Z';
  if (name === 'quarter') return '2026Q3';
  if (/^(date|from|to)$/.test(name)) return '2026-10-01';
  return { Int: 1, Float: 1, Boolean: false, Decimal: '1', ID: 'x', JSON: {}, JSONObject: {} }[scalar] ?? 'x';
}

/**
 * The variables of an operation calling `target.field` with `value` at the target's place, other
 * required inputs sampled.
 */
function variablesFor(target: Target, value: string): Record<string, unknown> {
  const variables: Record<string, unknown> = {};
  for (const argument of target.field.args) {
    const required = argument.type instanceof GraphQLNonNull;
    if (argument !== target.argument) {
      // Arguments that exclude one another (quarter vs from/to) are left out unless required.
      if (required) variables[argument.name] = sampleOf(argument.type, argument.name);
      continue;
    }
    if (target.path.length === 0) {
      variables[argument.name] = value;
      continue;
    }
    const sample = sampleOf(argument.type, argument.name);
    let holder = (Array.isArray(sample) ? sample[0] : sample) as Record<string, unknown>;
    let type = getNamedType(argument.type) as GraphQLInputObjectType;
    for (const [index, step] of target.path.entries()) {
      if (index === target.path.length - 1) {
        holder[step] = getNullableType(type.getFields()[step]!.type) instanceof GraphQLList ? [value] : value;
        break;
      }
      const innerType = type.getFields()[step]!.type;
      holder[step] ??= sampleOf(innerType, step);
      holder = (Array.isArray(holder[step]) ? (holder[step] as unknown[])[0] : holder[step]) as Record<string, unknown>;
      type = getNamedType(innerType) as GraphQLInputObjectType;
    }
    variables[argument.name] = sample;
  }
  return variables;
}

/** The operation text: variables typed as the arguments, the field's selection its `__typename`. */
function operationFor(target: Target): string {
  const args = target.field.args.map((argument) => argument);
  const declared = args.map((argument) => `$${argument.name}: ${String(argument.type)}`).join(', ');
  const passed = args.map((argument) => `${argument.name}: $${argument.name}`).join(', ');
  const named = getNamedType(target.field.type);
  const selection = named instanceof GraphQLScalarType || named instanceof GraphQLEnumType ? '' : ' { __typename }';
  return (
    `${target.root === 'Query' ? 'query' : 'mutation'}${declared ? ` (${declared})` : ''} { ` +
    `${target.field.name}${passed ? `(${passed})` : ''}${selection} }`
  );
}

describe('dates at the edges of every DateTime, date and quarter argument', () => {
  let gateway: TestGateway;
  let targets: Target[];

  beforeAll(async () => {
    gateway = await startTestGateway();
    targets = targetsOf(await gatewaySchema());
  });
  afterAll(() => gateway.close());

  it('finds the arguments in the schema: reports, filters and writes', () => {
    const names = new Set(
      targets.map((target) => `${target.field.name}.${[target.argument.name, ...target.path].join('.')}`),
    );
    for (const expected of [
      'apiErrors.since',
      'dailySummary.date',
      'integrityReport.quarter',
      'integrityReport.from',
      'decisions.filter.createdFrom',
      'recordExecution.records.createdAt',
      'recordStatusChange.records.occurredAt',
      'positions.asOf',
      'executionQuality.from',
      'executionsAggregate.where.createdAt.gte',
      'decisions.where.executions.some.submittedAt.lt',
      'search.where.auditEvent.occurredAt.in',
    ]) {
      expect(names).toContain(expected);
    }
  });

  it('treats the last quarter as any other: its exclusive end, 10000-01-01, is later than now', async () => {
    // A decision recorded for 9999-12-20 is not "pending more than a week" as of today.
    await gateway.orm.em.getConnection().execute(
      `insert into trade_decisions (decision_id, strategy, symbol, side, quantity, order_type, status, created_at)
          values ('dec-9999', 's', 'NVDA', 'buy', 1, 'market', 'pending', '9999-12-20T00:00:00Z')`,
    );
    const result = await gateway.execute<any>(
      '{ integrityReport(quarter: "9999Q4") { until findings { check count } } }',
      {},
      admin,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data.integrityReport.until).toBe('10000-01-01T00:00:00.000000Z');
    expect(result.data.integrityReport.findings).toContainEqual({ check: 'STALE_PENDING_DECISION', count: 0 });
  });

  const arbitraries = { dateTime: dateTimes, date: dates, quarter: quarters };

  it('answers in range, refuses out of range with BAD_USER_INPUT, never INTERNAL_SERVER_ERROR', async () => {
    for (const target of targets) {
      const operation = operationFor(target);
      await fc.assert(
        fc.asyncProperty(arbitraries[target.kind], async ({ text, valid }) => {
          const result = await gateway.execute(operation, variablesFor(target, text), admin);
          const codes = (result.errors ?? []).map((error) => error.extensions?.code);
          const where =
            `${target.field.name}(${[target.argument.name, ...target.path].join('.')}: ` + `${JSON.stringify(text)})`;
          expect({ where, codes }).not.toEqual({ where, codes: expect.arrayContaining(['INTERNAL_SERVER_ERROR']) });
          if (!valid) {
            expect({
              where,
              codes: [...new Set(codes)],
              messages: result.errors?.map((error) => error.message),
            }).toMatchObject({ where, codes: ['BAD_USER_INPUT'] });
          } else {
            // In range, the date itself is never what is refused.
            for (const error of result.errors ?? [])
              expect({ where, message: error.message }).not.toEqual({
                where,
                message: expect.stringMatching(
                  /supported range|YYYY-MM-DD|RFC 3339|names a (day|time)|fractional|like 2026Q3/,
                ),
              });
          }
        }),
        { numRuns: 40 },
      );
    }
  }, 240_000);
});
