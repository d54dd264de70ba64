import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import { actorOf } from '../auth/caller';
import { Permission } from '../auth/roles';
import { correctRecord, MAX_REASON } from '../corrections/correct-record';
import { RecordCorrection } from '../entities/record-correction.entity';
import { GraphQLJSONObject } from '../graphql/json.scalar';
import { Node } from '../graphql/node.interface';
import { ConnectionArgs, type ConnectionResult } from '../graphql/pagination/connection';
import { NODE_TYPE_NAMES, NODE_TYPES, nodeTypeOfTable, type NodeType } from '../lineage/node-types';
import type { Context } from './context';
import { loadNode } from './node.resolver';
import { ORDER_BY_DESCRIPTION, RecordCorrectionOrder } from './order/list-order-enums';
import { RecordCorrectionConnection } from './types/connections';

/** The write: `correctRecord`, for the roles that may record. */
@Authorized(Permission.writeRecords)
@Resolver()
export class CorrectionResolver {
  @Mutation(() => RecordCorrection, {
    description:
      'Correct a wrong record: `fields` maps GraphQL field names of its type to their new values, as the API ' +
      'writes them (a relation by global id); never its id, external key, createdAt, status or a payload body. ' +
      `Appends a correction (with \`reason\`, up to ${MAX_REASON} characters, and you as actor) and updates the ` +
      'record in one transaction: reads answer the corrected values, the correction beside them (`corrections`), ' +
      "and the record's original content stays provable (its leaf). Every named field must change.",
  })
  correctRecord(
    @Arg('id', () => ID) id: string,
    @Arg('fields', () => GraphQLJSONObject) fields: Record<string, unknown>,
    @Arg('reason') reason: string,
    @Ctx() { em, caller }: Context,
  ): Promise<RecordCorrection> {
    return correctRecord(em, actorOf(caller), { id, fields, reason });
  }
}

/** A correction's record, for the roles that read lineage. */
@Authorized(Permission.readLineage)
@Resolver(() => RecordCorrection)
export class RecordCorrectionResolver {
  @FieldResolver(() => Node, { description: 'The corrected record.', nullable: true })
  subject(@Root() correction: RecordCorrection, @Ctx() { loaders }: Context): Promise<Node | null> {
    return loadNode(loaders, nodeTypeOfTable(correction.subjectTable)!, String(correction.subjectId));
  }
}

/** `corrections` on one node type, oldest first: a resolver class per type (type-graphql needs the decorator). */
function correctionsResolverOf(type: NodeType) {
  @Authorized(Permission.readLineage)
  @Resolver(() => NODE_TYPES[type].entity)
  class CorrectionsOfNode {
    @FieldResolver(() => RecordCorrectionConnection, {
      description:
        'Corrections of this record, oldest first unless `orderBy` says otherwise: the fields it answers are the ' +
        'corrected ones.',
    })
    corrections(
      @Root() node: { id: string },
      @Arg('orderBy', () => RecordCorrectionOrder, { nullable: true, description: ORDER_BY_DESCRIPTION })
      orderBy: string | null,
      @Args(() => ConnectionArgs) page: ConnectionArgs,
      @Ctx() { loaders }: Context,
    ): Promise<ConnectionResult<RecordCorrection>> {
      return loaders.corrections(type).load(node.id, { ...page, orderBy });
    }
  }
  Object.defineProperty(CorrectionsOfNode, 'name', { value: `${type}CorrectionsResolver` });
  return CorrectionsOfNode;
}

export const CORRECTIONS_RESOLVERS = NODE_TYPE_NAMES.map(correctionsResolverOf);
