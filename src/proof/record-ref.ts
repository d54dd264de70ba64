import { BadInputError } from '../base/errors';
import { tableNameOf } from '../database/entity-metadata';
import { AuditEvent, RecordCorrection } from '../entities';
import { CORRECTION_TYPE } from '../entities/record-correction.entity';
import { isDatabaseId } from '../graphql/arguments';
import { parseGlobalId, toGlobalId } from '../graphql/global-id';
import { isNodeType, tableOf } from '../lineage/node-types';

/**
 * A record as the tree knows it: its source (table) and its key there, as
 * merkle_leaves holds them (see src/integrator/leaf-sources.ts).
 */
export type RecordRef = { source: string; key: string };

const AUDIT_EVENT = 'AuditEvent';

/** The id `inclusionProof(id:)` takes for an audit event (`AuditEvent.id`): a global id of its seq. */
export const auditEventId = (seq: string): string => toGlobalId(AUDIT_EVENT, seq);

/** The table of audit events, the source of their leaves. */
export const AUDIT_EVENT_SOURCE = tableNameOf(AuditEvent);

/** The table of corrections, the source of their leaves. */
export const CORRECTION_SOURCE = tableNameOf(RecordCorrection);

/**
 * The record a GraphQL id names: a node's global id, an audit event's `id`
 * or a correction's `id`. Anything else is BAD_USER_INPUT naming `argument`.
 */
export function recordRefOf(id: string, argument: string): RecordRef {
  const parsed = parseGlobalId(id);
  if (parsed && isDatabaseId(parsed.databaseId)) {
    if (isNodeType(parsed.typeName)) return { source: tableOf(parsed.typeName), key: parsed.databaseId };
    if (parsed.typeName === AUDIT_EVENT) return { source: AUDIT_EVENT_SOURCE, key: parsed.databaseId };
    if (parsed.typeName === CORRECTION_TYPE) return { source: CORRECTION_SOURCE, key: parsed.databaseId };
  }
  throw new BadInputError(
    `\`${argument}\` is not the id of a record: use the \`id\` of a node, an audit event or a correction as this API returns it`,
    argument,
  );
}

/** How messages name a record: `trade_decisions 12`. */
export const describeRef = ({ source, key }: RecordRef): string => `${source} ${key}`;
