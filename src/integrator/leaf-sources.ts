import type { EntityClass } from '@mikro-orm/core';
import { AuditEvent, PayloadTombstone, QueryAuditEntry, RecordCorrection } from '../entities';
import { SUBJECT_TABLES } from '../entities/audit-event.entity';
import { CORRECTION_TYPE, correctionGlobalId } from '../entities/record-correction.entity';
import { toGlobalId } from '../graphql/global-id';
import { parseExactJson } from '../json/exact-json';
import { NODE_TYPES, type NodeType, nodeTypeOfTable, tableOf } from '../lineage/node-types';
import { columnsOf, EDGES, RELATION_FIELDS, storageOf } from '../lineage/relations';
import { derivedColumns } from '../queries/current-status';
import { tableNameOf } from '../database/entity-metadata';
import { canonicalSha256 } from './canonical-json';
import { columnJsonSql, type RecordField, recordFieldsOf } from './record-fields';
import { type AppliedCorrection, correctionsSql, originalValues } from './original-values';

/**
 * A selected row of a source: its record key, its writer's transaction id,
 * its columns as JSON text and, for a node, its corrections' values
 * (newest first, JSON text; null without corrections).
 */
export type SourceRow = { key: string; xid: string; row: string; corrections?: string | null };

type Values = Record<string, unknown>;

/**
 * One table whose committed rows become leaves. `select(condition)` is the
 * one statement reading them — `condition` is SQL over alias `t` (the
 * integrator's candidates, or `keyCondition` for a set of record keys bound
 * as `$1`, text[]) — in leaf order: `recorded_xid`, then the key's columns.
 * `record` turns one selected row into the canonical record object, the
 * record as the GraphQL API answers it (README "Proofs").
 */
export type LeafSource = {
  source: string;
  select(condition: string): string;
  keyCondition: string;
  record(row: SourceRow): Values;
};

const valuesOf = (row: SourceRow) => parseExactJson(row.row) as Values;
const gidOrNull = (type: NodeType, id: unknown) => (id == null ? null : toGlobalId(type, String(id)));
const fieldValues = (fields: readonly RecordField[], values: Values) =>
  Object.fromEntries(fields.map((field) => [field.name, field.convert(values[field.column])]));
const unique = (columns: string[]) => [...new Set(columns)];

/**
 * Bodies a record proves by their hash rather than carry (a purged body's
 * record still proves): `payload` is in the leaf as `payloadSha256`, the hex
 * SHA-256 of the body's canonical JSON — of the body, or once the retention
 * purge has removed it, the hash its tombstone kept — null for no body. So a
 * payload's leaf is the same whether it was integrated before its purge or
 * after, and integrator, verify and prove all read it here.
 */
const BODY_FIELDS: Partial<Record<NodeType, string>> = { ApiPayload: 'payload' };
const TOMBSTONES = tableNameOf(PayloadTombstone);

/** The purged body's canonical hash, read only for a row without a body. */
const purgedBodySql = (body: string) =>
  `'purged_${body}_sha256', case when t.${body} is null then
     (select b.body_sha256 from ${TOMBSTONES} b where b.api_payload_id = t.id) end`;

/** A node type's rows: `type`, global `id`, its stored GraphQL fields, each to-one relation as a global id. */
function nodeSource(type: NodeType): LeafSource {
  const entity = NODE_TYPES[type].entity as EntityClass<unknown>;
  const table = tableOf(type);
  const derived = new Set(derivedColumns(table, 't').map(({ property }) => property));
  const body = BODY_FIELDS[type];
  const fields = recordFieldsOf(entity, derived);
  const relations = [...RELATION_FIELDS.values()]
    .flat()
    .filter((direction) => direction.at === type && direction.one)
    .map((direction) => ({ name: direction.field, column: columnsOf(direction).far, target: direction.leadsTo }));
  const columns = unique(['id', ...fields.map(({ column }) => column), ...relations.map(({ column }) => column)]);
  const json = columnJsonSql(entity, 't', columns) + (body ? `, ${purgedBodySql(body)}` : '');
  return {
    source: table,
    select: (condition) =>
      `select t.id::text as key, t.recorded_xid::text as xid, json_build_object(${json})::text as row,
              ${correctionsSql(table, 't')} as corrections
         from ${table} t where ${condition} order by t.recorded_xid, t.id`,
    keyCondition: 't.id = any($1::bigint[])',
    record(row) {
      const values = valuesOf(row);
      const record: Values = { type, id: toGlobalId(type, String(values.id)), ...fieldValues(fields, values) };
      if (body) {
        delete record[body];
        const purged = values[`purged_${body}_sha256`];
        record[`${body}Sha256`] = values[body] != null ? canonicalSha256(values[body]) : (purged ?? null);
      }
      for (const { name, column, target } of relations) record[name] = gidOrNull(target, values[column]);
      // The leaf is the record as first written: its corrections are leaves of their own.
      return row.corrections ? originalValues(record, parseExactJson(row.corrections) as AppliedCorrection[]) : record;
    },
  };
}

/** A decision input (the FED edge's join table): `{type: DecisionInput, decision, payload}`; key `decision:payload`. */
function decisionInputSource(): LeafSource {
  const fed = EDGES.find((edge) => edge.kind === 'FED')!;
  const { table, fromColumn: payload, toColumn: decision } = storageOf(fed);
  return {
    source: table,
    select: (condition) =>
      `select t.${decision}::text || ':' || t.${payload}::text as key, t.recorded_xid::text as xid,
              json_build_object('decision', t.${decision}::text, 'payload', t.${payload}::text)::text as row
         from ${table} t where ${condition} order by t.recorded_xid, t.${decision}, t.${payload}`,
    keyCondition: `(t.${decision}, t.${payload}) in (select split_part(k, ':', 1)::bigint, split_part(k, ':', 2)::bigint
                                                 from unnest($1::text[]) k)`,
    record(row) {
      const values = valuesOf(row);
      return {
        type: 'DecisionInput',
        decision: toGlobalId(fed.to, String(values.decision)),
        payload: toGlobalId(fed.from, String(values.payload)),
      };
    },
  };
}

/** An audit event: `type`, `seq` (a string, as the API writes it), its stored fields, `subject` as a global id. */
function auditEventSource(): LeafSource {
  const table = tableNameOf(AuditEvent);
  const fields = recordFieldsOf(AuditEvent as EntityClass<unknown>, new Set());
  const json = columnJsonSql(AuditEvent as EntityClass<unknown>, 't', unique(fields.map(({ column }) => column)));
  return {
    source: table,
    select: (condition) =>
      `select t.seq::text as key, t.recorded_xid::text as xid, json_build_object(${json})::text as row
         from ${table} t where ${condition} order by t.recorded_xid, t.seq`,
    keyCondition: 't.seq = any($1::bigint[])',
    record(row) {
      const record: Values = { type: 'AuditEvent', seq: row.key, ...fieldValues(fields, valuesOf(row)) };
      const subjectType = record.subjectTable == null ? null : nodeTypeOfTable(record.subjectTable as string);
      record.subject = subjectType ? gidOrNull(subjectType, record.subjectId) : null;
      return record;
    },
  };
}

/**
 * A correction: `type`, `id` (its global id, as the API answers it),
 * `subject` (the record's global id), its stored fields (corrected,
 * superseded, reason, actor, correctedAt).
 */
function correctionSource(): LeafSource {
  const entity = RecordCorrection as EntityClass<unknown>;
  const table = tableNameOf(RecordCorrection);
  const fields = recordFieldsOf(entity, new Set());
  const json = columnJsonSql(
    entity,
    't',
    unique(['subject_table', 'subject_id', ...fields.map(({ column }) => column)]),
  );
  return {
    source: table,
    select: (condition) =>
      `select t.id::text as key, t.recorded_xid::text as xid, json_build_object(${json})::text as row
         from ${table} t where ${condition} order by t.recorded_xid, t.id`,
    keyCondition: 't.id = any($1::bigint[])',
    record(row) {
      const values = valuesOf(row);
      const subject = nodeTypeOfTable(values.subject_table as string)!;
      return {
        type: CORRECTION_TYPE,
        id: correctionGlobalId(row.key),
        subject: toGlobalId(subject, String(values.subject_id)),
        ...fieldValues(fields, values),
      };
    },
  };
}

const ENTRY_FIELDS = recordFieldsOf(QueryAuditEntry as EntityClass<unknown>, new Set());

/**
 * One query audit entry as the API answers it: `type`, its stored fields,
 * `key` as the API key's id (null for anonymous callers). A batch's leaf lists
 * the hex SHA-256 of each entry's canonical JSON.
 */
export const queryAuditEntryRecord = (values: Values): Values => ({
  type: 'QueryAuditEntry',
  ...fieldValues(ENTRY_FIELDS, values),
  key: values.api_key_id == null ? null : String(values.api_key_id),
});

/** The query audit log: one leaf per writer transaction, listing its entries in id order; key `recorded_xid`. */
function queryAuditSource(): LeafSource {
  const table = tableNameOf(QueryAuditEntry);
  const columns = unique([...ENTRY_FIELDS.map(({ column }) => column), 'api_key_id']);
  const json = columnJsonSql(QueryAuditEntry as EntityClass<unknown>, 't', columns);
  return {
    source: table,
    select: (condition) =>
      `select t.recorded_xid::text as key, t.recorded_xid::text as xid,
              json_agg(json_build_object(${json}) order by t.id)::text as row
         from ${table} t where ${condition} group by t.recorded_xid order by t.recorded_xid`,
    keyCondition: 't.recorded_xid = any($1::text[]::xid8[])',
    record(row) {
      const entries = parseExactJson(row.row) as Values[];
      return {
        type: 'QueryAuditBatch',
        entries: entries.map((entry) => canonicalSha256(queryAuditEntryRecord(entry))),
      };
    },
  };
}

/**
 * Every source, in leaf order within a batch: the lineage tables (the
 * chain's SUBJECT_TABLES order, upstream first), the corrections of their
 * records, audit events, the query audit log.
 */
export const LEAF_SOURCES: readonly LeafSource[] = [
  ...SUBJECT_TABLES.map((table) => {
    const type = nodeTypeOfTable(table);
    return type ? nodeSource(type) : decisionInputSource();
  }),
  correctionSource(),
  auditEventSource(),
  queryAuditSource(),
];

/** The source named `source` (a merkle_leaves.source), or undefined. */
export const leafSourceOf = (source: string): LeafSource | undefined =>
  LEAF_SOURCES.find((candidate) => candidate.source === source);
