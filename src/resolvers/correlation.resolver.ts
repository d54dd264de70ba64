import { Arg, Authorized, Ctx, Query, Resolver } from 'type-graphql';
import { Permission } from '../auth/roles';
import type { Context } from './context';
import { BadInputError } from '../base/errors';
import { Node } from '../graphql/node.interface';
import { correlationTrail, MAX_TRAIL_LENGTH } from '../queries/correlation-trail';
import { loadNode } from './node.resolver';

@Authorized(Permission.readLineage)
@Resolver()
export class CorrelationResolver {
  @Query(() => [Node], {
    description:
      'Every decision, broker or data payload and execution of one intent (its correlation id), oldest first: ' +
      'the path of one idea from decision to broker request, execution and response. Empty when the id is unknown. ' +
      `At most ${MAX_TRAIL_LENGTH} records: a longer trail is refused with RESULT_TOO_LARGE, never cut.`,
  })
  async correlated(
    @Arg('correlationId', () => String) correlationId: string,
    @Ctx() { em, loaders }: Context,
  ): Promise<Node[]> {
    if (correlationId.trim() === '' || correlationId.length > 200) {
      throw new BadInputError('`correlationId` must be 1 to 200 characters', 'correlationId');
    }
    const trail = await correlationTrail(em, correlationId);
    // The three loaders run in the same tick, so each kind costs one batched statement.
    const nodes = await Promise.all(trail.map(({ kind, id }) => loadNode(loaders, kind, id)));
    return nodes.filter((node): node is NonNullable<typeof node> => node !== null);
  }
}
