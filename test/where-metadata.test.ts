import { type GraphQLInputObjectType, isInputObjectType } from 'graphql';
import { persistedColumnsOf, tableNameOf } from '../src/database/entity-metadata';
import { wherePredicatesOf } from '../src/queries/where-predicates';
import {
  ApiPayload,
  AuditEvent,
  IngestionRun,
  Position,
  QueryAuditEntry,
  TradeDecision,
  TradeExecution,
} from '../src/entities';
import { RELATION_FIELDS } from '../src/lineage/relations';
import { gatewaySchema } from '../src/server/schema';

const COMBINATORS = ['and', 'not', 'or'];

/**
 * What each `where:` input ends up with, made from the entities: a column
 * added to an entity and its object type shows up here, and this list says
 * on purpose what is left out and why. A node type's relation fields come
 * from the lineage registry (a foreign key's property is left out as a
 * column; the relation field walks it).
 */
const lists = [
  { name: 'IngestionRunWhere', entity: IngestionRun, left: ['id'] },
  { name: 'ApiPayloadWhere', entity: ApiPayload, left: ['id', 'ingestionRun'] },
  { name: 'TradeDecisionWhere', entity: TradeDecision, left: ['id'] },
  {
    name: 'TradeExecutionWhere',
    entity: TradeExecution,
    left: ['id', 'tradeDecision', 'position', 'apiRequestPayload', 'apiResponsePayload'],
  },
  { name: 'PositionWhere', entity: Position, left: ['id'] },
  // Chain internals have no field of their own; subjectId is a bigint shown as String.
  {
    name: 'AuditEventWhere',
    entity: AuditEvent,
    left: ['id', 'subjectId', 'recordIds', 'recordHashes', 'prevHash', 'hash'],
  },
  // traceId: a column, not a GraphQL field, since an entry's fields are its Merkle leaf (README, trace context).
  {
    name: 'QueryAuditEntryWhere',
    entity: QueryAuditEntry,
    left: ['id', 'apiKey', 'errorCodes', 'document', 'traceId'],
  },
];

describe('the where: inputs follow the entities', () => {
  it.each(lists)('$name: a field per column, but those left out on purpose', async ({ name, entity, left }) => {
    const type = (await gatewaySchema()).getType(name) as GraphQLInputObjectType;
    expect(isInputObjectType(type)).toBe(true);
    const columns = persistedColumnsOf(entity).map(({ property }) => property);
    const relations = [...RELATION_FIELDS.values()]
      .filter(([direction]) => `${direction!.at}Where` === name)
      .map(([direction]) => direction!.field);
    const fields = Object.keys(type.getFields()).filter((field) => !COMBINATORS.includes(field));
    // The predicates (integrity checks, full-text matches) are fields of their own, from their registry.
    const predicates = Object.keys(wherePredicatesOf(tableNameOf(entity)));
    const expected = [...columns.filter((property) => !left.includes(property)), ...relations, ...predicates];
    expect(fields.sort()).toEqual([...new Set(expected)].sort());
    expect(Object.keys(type.getFields())).toEqual(expect.arrayContaining(COMBINATORS));
  });
});
