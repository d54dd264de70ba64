import { Authorized, type ClassType, Ctx, FieldResolver, ID, Resolver, Root } from 'type-graphql';
import { Permission } from '../auth/roles';
import { AuditEvent, RecordCorrection } from '../entities';
import { SafeInt } from '../graphql/safe-int.scalar';
import { NODE_TYPE_NAMES, NODE_TYPES, tableOf } from '../lineage/node-types';
import { AUDIT_EVENT_SOURCE, auditEventId, CORRECTION_SOURCE, type RecordRef } from '../proof/record-ref';
import type { Context } from './context';

const LEAF_INDEX = 'Its leaf in the Merkle tree (`inclusionProof` proves it); null until the integrator has taken it.';
const LEAF_HASH = 'SHA-256(0x00 ‖ its canonical JSON), base64; null until integrated (README "Proofs").';

/** `leafIndex` and `leafHash` of a record type, through the request's one leaf loader (a statement per level). */
function leafFieldsOf<T extends object>(of: ClassType<T>, refOf: (record: T) => RecordRef) {
  @Authorized(Permission.readLineage)
  @Resolver(() => of)
  class LeafFields {
    @FieldResolver(() => SafeInt, { nullable: true, description: LEAF_INDEX })
    async leafIndex(@Root() record: T, @Ctx() { loaders }: Context): Promise<number | null> {
      return (await loaders.leaf.load(refOf(record)))?.leafIndex ?? null;
    }

    @FieldResolver(() => String, { nullable: true, description: LEAF_HASH })
    async leafHash(@Root() record: T, @Ctx() { loaders }: Context): Promise<string | null> {
      return (await loaders.leaf.load(refOf(record)))?.leafHash.toString('base64') ?? null;
    }
  }
  Object.defineProperty(LeafFields, 'name', { value: `${of.name}LeafFields` });
  return LeafFields;
}

@Authorized(Permission.readLineage)
@Resolver(() => AuditEvent)
class AuditEventIdField {
  // Not `id`: the entity's `id` property is the seq column, and a leaf holds the stored fields by property.
  @FieldResolver(() => ID, { name: 'id', description: 'Opaque id of the event, for `inclusionProof(id:)`.' })
  recordId(@Root() event: AuditEvent): string {
    return auditEventId(event.id);
  }
}

/** The resolvers of every record's proof fields: each node type's, the audit events' and the corrections'. */
export const LEAF_FIELD_RESOLVERS = [
  ...NODE_TYPE_NAMES.map((type) =>
    leafFieldsOf(NODE_TYPES[type].entity as ClassType<{ id: string }>, (node) => ({
      source: tableOf(type),
      key: node.id,
    })),
  ),
  leafFieldsOf(AuditEvent, (event) => ({ source: AUDIT_EVENT_SOURCE, key: event.id })),
  leafFieldsOf(RecordCorrection, (correction) => ({ source: CORRECTION_SOURCE, key: correction.id })),
  AuditEventIdField,
];
