import type { EntityClass } from '@mikro-orm/core';
import type { EntityManager, Knex } from '@mikro-orm/postgresql';
import { BadInputError, RecordNotFoundError } from '../base/errors';
import { holdsUnstorableText } from '../base/unstorable-text';
import { correctionGlobalId, RecordCorrection } from '../entities/record-correction.entity';
import { canonicalJson } from '../integrator/canonical-json';
import { columnJsonSql } from '../integrator/record-fields';
import { stringifyExactJson, parseExactJson } from '../json/exact-json';
import { fromGlobalId } from '../lineage/global-id';
import { NODE_TYPES, type NodeType, tableOf } from '../lineage/node-types';
import { LogType } from '../entities/audit-event.entity';
import { appendEvent } from '../record/append-event';
import { inWriteTransaction } from '../record/write-transaction';
import { instantFromDatabase } from '../time/instant';
import { type CorrectableField, CORRECTABLE_FIELDS } from './correctable-fields';

export const MAX_REASON = 2_000;

export type CorrectionRequest = { id: string; fields: Record<string, unknown>; reason: string };

type Parsed = { type: NodeType; databaseId: string; fields: { field: CorrectableField; value: unknown }[] };

/** Everything checked that needs no database: the id, each field and value, the reason. */
function parseRequest(request: CorrectionRequest): Parsed {
  const { type, databaseId } = fromGlobalId(request.id, 'id');
  const reason = request.reason;
  if (typeof reason !== 'string' || reason.trim() === '' || reason.length > MAX_REASON || holdsUnstorableText(reason))
    throw new BadInputError(`reason must be non-empty text of at most ${MAX_REASON} characters`, 'reason');
  const correctable = CORRECTABLE_FIELDS.get(type)!;
  const names = Object.keys(request.fields);
  if (names.length === 0) throw new BadInputError('fields must name at least one field to correct', 'fields');
  const fields = names.map((name) => {
    // A Map never reads its prototype: `__proto__` or `constructor` are simply not correctable.
    const field = correctable.get(name);
    if (!field)
      throw new BadInputError(
        `fields.${name.slice(0, 60)} is not a correctable field of ${type}; ` +
          `correctable: ${[...correctable.keys()].join(', ')} (never its id, external key, createdAt or status)`,
        `fields.${name.slice(0, 60)}`,
      );
    return { field, value: field.parse(request.fields[name], `fields.${name}`) };
  });
  return { type, databaseId, fields };
}

/** `{field: value as the API writes it}` from one row's JSON (columnJsonSql) for `fields`. */
const apiValues = (fields: Parsed['fields'], row: string) => {
  const values = parseExactJson(row) as Record<string, unknown>;
  return Object.fromEntries(fields.map(({ field }) => [field.name, field.toApi(values[field.column])]));
};

async function checkTargetsExist(trx: Knex.Transaction, fields: Parsed['fields']): Promise<void> {
  for (const { field, value } of fields) {
    if (field.kind !== 'relation' || value === null) continue;
    const { rows } = await trx.raw(`select 1 from ${tableOf(field.target!)} where id = ?`, [value as string]);
    if (rows.length === 0)
      throw new BadInputError(
        `fields.${field.name} names a ${field.target} that is not recorded`,
        `fields.${field.name}`,
      );
  }
}

/**
 * Corrects a record: appends the correction (the fields' values before and
 * after, as the API writes them) and, in the same transaction, updates the
 * record's row, which the database allows for exactly this correction (see
 * Migration20261201173226_record_corrections); a `record_corrected`
 * COMPLIANCE event about the record (naming the correction by its `id`)
 * says so in its event history, as a status change or a retention purge
 * does. Every named field must change.
 */
export async function correctRecord(
  em: EntityManager,
  actor: string,
  request: CorrectionRequest,
): Promise<RecordCorrection> {
  const { type, databaseId, fields } = parseRequest(request);
  const table = tableOf(type);
  const entity = NODE_TYPES[type].entity as EntityClass<unknown>;
  const columns = fields.map(({ field }) => field.column);
  const json = (alias: string) => columnJsonSql(entity, alias, columns);
  const sent = stringifyExactJson(Object.fromEntries(fields.map(({ field, value }) => [field.column, value])));
  return inWriteTransaction(em, async (trx) => {
    const { rows: current } = await trx.raw(
      `select json_build_object(${json('t')})::text as row from ${table} t where t.id = ? for update`,
      [databaseId],
    );
    if (current.length === 0) throw new RecordNotFoundError(`id names no recorded ${type}`, 'id');
    // The new values as the column holds them (the scale of a decimal, an instant in UTC), then as the API writes them.
    const {
      rows: [stored],
    } = await trx.raw(
      `select json_build_object(${json('s')})::text as row from json_populate_record(null::${table}, ?::json) s`,
      [sent],
    );
    const superseded = apiValues(fields, current[0].row as string);
    const corrected = apiValues(fields, stored.row as string);
    for (const { field } of fields) {
      if (canonicalJson(superseded[field.name]) === canonicalJson(corrected[field.name]))
        throw new BadInputError(
          `fields.${field.name} is already ${canonicalJson(corrected[field.name]).slice(0, 80)}: a correction changes every field it names`,
          `fields.${field.name}`,
        );
    }
    await checkTargetsExist(trx, fields);
    const {
      rows: [row],
    } = await trx.raw(
      `insert into record_corrections (subject_table, subject_id, corrected, superseded, reason, actor)
       values (?, ?, ?::jsonb, ?::jsonb, ?, ?) returning id::text, corrected_at::text`,
      [table, databaseId, stringifyExactJson(corrected), stringifyExactJson(superseded), request.reason, actor],
    );
    await trx.raw(`select set_config('auditgraph.correction', ?, true)`, [row.id]);
    await trx.raw(
      `update ${table} t set ${columns.map((column) => `${column} = s.${column}`).join(', ')}
         from json_populate_record(null::${table}, ?::json) s where t.id = ?`,
      [sent, databaseId],
    );
    await trx.raw(`select set_config('auditgraph.correction', '', true)`);
    await appendEvent(trx, {
      logType: LogType.COMPLIANCE,
      event: 'record_corrected',
      data: { correction: correctionGlobalId(row.id), fields: fields.map(({ field }) => field.name) },
      subjectTable: table,
      subjectId: databaseId,
      actor,
    });
    return Object.assign(new RecordCorrection(), {
      id: row.id as string,
      subjectTable: table,
      subjectId: databaseId,
      corrected,
      superseded,
      reason: request.reason,
      actor,
      correctedAt: instantFromDatabase(row.corrected_at as string),
    });
  });
}
