import { Arg, Authorized, Ctx, Int, Query, Resolver } from 'type-graphql';
import { Permission } from '../auth/roles';
import { ChainVerification } from '../chain/chain-verification';
import { verifyRecord } from '../chain/verify-record';
import type { Context } from './context';
import { BadInputError } from '../base/errors';

@Authorized(Permission.auditIntegrity)
@Resolver()
export class ChainResolver {
  @Query(() => ChainVerification, {
    description:
      'Verify the record as `auditgraph verify` does (the witness folder of AUDITGRAPH_WITNESS_DIR, if set) and report the breaks. Read-only: the run is not recorded in chain_verifications.',
  })
  async verifyChain(
    @Arg('limit', () => Int, { nullable: true, description: 'Most breaks listed (default 100, at most 10000).' })
    limit: number | null,
    @Arg('full', () => Boolean, {
      nullable: true,
      description: 'Re-encode every record and recompute every stored node, as `verify --full` (default false).',
    })
    full: boolean | null,
    @Ctx() { em, settings }: Context,
  ): Promise<ChainVerification> {
    if (limit != null && (limit < 1 || limit > 10_000))
      throw new BadInputError('`limit` must be from 1 to 10000', 'limit');
    const { root: _root, ...result } = await verifyRecord(em, {
      limit: limit ?? 100,
      full: full ?? false,
      witnessDirs: settings.witnessDir ? [settings.witnessDir] : [],
      integrationBoundS: settings.integrationBoundS,
    });
    return result;
  }
}
