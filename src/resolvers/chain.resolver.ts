import { Arg, Authorized, Ctx, Int, Query, Resolver } from 'type-graphql';
import { Permission } from '../auth/roles';
import { ChainVerification, verifyChain } from '../chain/verify-chain';
import type { Context } from './context';
import { BadInputError } from '../base/errors';

@Authorized(Permission.auditIntegrity)
@Resolver()
export class ChainResolver {
  @Query(() => ChainVerification, {
    description:
      'Recompute every hash of the record and of the chain, as `auditgraph verify` does, and report the breaks.',
  })
  verifyChain(
    @Arg('limit', () => Int, { nullable: true, description: 'Most breaks listed (default 100, at most 10000).' })
    limit: number | null,
    @Ctx() { em }: Context,
  ): Promise<ChainVerification> {
    if (limit != null && (limit < 1 || limit > 10_000))
      throw new BadInputError('`limit` must be from 1 to 10000', 'limit');
    return verifyChain(em, { limit: limit ?? 100 });
  }
}
