import { Arg, Authorized, Ctx, ID, Query, Resolver } from 'type-graphql';
import { Permission } from '../auth/roles';
import type { Context } from './context';
import { BadInputError } from '../base/errors';
import { Node } from '../graphql/node.interface';
import { fromGlobalId } from '../lineage/global-id';
import type { NodeType } from '../lineage/node-types';
import type { Loaders } from '../loaders';

const MAX_NODES = 100;

/** Loads any node by its decoded global id, through the same per-request loaders as the relations. */
export function loadNode(loaders: Loaders, type: NodeType, databaseId: string): Promise<Node | null> {
  return loaders.key<Node>(type, 'id').load(databaseId);
}

@Authorized(Permission.readLineage)
@Resolver()
export class NodeResolver {
  @Query(() => Node, { nullable: true, description: 'Any node by its global id; null when unknown.' })
  node(@Arg('id', () => ID) id: string, @Ctx() { loaders }: Context): Promise<Node | null> {
    const { type, databaseId } = fromGlobalId(id, 'id');
    return loadNode(loaders, type, databaseId);
  }

  @Query(() => [Node], {
    nullable: 'items',
    description:
      'Nodes by global id, in the order asked (null for unknown ids); ' +
      `at most ${MAX_NODES}, one statement per type.`,
  })
  nodes(@Arg('ids', () => [ID]) ids: string[], @Ctx() { loaders }: Context): Promise<(Node | null)[]> {
    if (ids.length > MAX_NODES) throw new BadInputError(`\`ids\` holds ${ids.length} ids; at most ${MAX_NODES}`, 'ids');
    return Promise.all(
      ids.map((id, index) => {
        const { type, databaseId } = fromGlobalId(id, `ids[${index}]`);
        return loadNode(loaders, type, databaseId);
      }),
    );
  }
}
