import { Arg, Authorized, Ctx, ID, Int, Query, Resolver } from 'type-graphql';
import { Permission } from '../auth/roles';
import { BadInputError } from '../base/errors';
import { DateTime } from '../graphql/date-time.scalar';
import { SafeInt } from '../graphql/safe-int.scalar';
import { checkpointAt, checkpointsPage, newestCheckpoint } from '../proof/checkpoint-reads';
import { proveConsistency } from '../proof/consistency';
import { emQueryable } from '../proof/em-queryable';
import { proofTarget, proveRecords } from '../proof/record-proofs';
import { recordRefOf } from '../proof/record-ref';
import type { Instant } from '../time/instant';
import type { Context } from './context';
import { checkpointAnswer, consistencyAnswer, inclusionAnswer } from './proof-answers';
import { CheckpointAnswer, ConsistencyProof, InclusionProof } from './types/proof.types';

const MAX_CHECKPOINTS = 100;

/**
 * Proofs of the record (README "Proofs"): the signed checkpoints, a record's
 * inclusion, two tree sizes' consistency. Whoever may read the lineage may
 * read its proofs — a proof reveals no more than the record it proves.
 */
@Authorized(Permission.readLineage)
@Resolver()
export class ProofResolver {
  @Query(() => CheckpointAnswer, {
    nullable: true,
    description: 'The newest signed checkpoint; null before the first.',
  })
  async checkpoint(@Ctx() { em }: Context): Promise<CheckpointAnswer | null> {
    const newest = await newestCheckpoint(emQueryable(em));
    return newest && checkpointAnswer(newest);
  }

  @Query(() => [CheckpointAnswer], { description: 'Signed checkpoints, newest (largest tree) first.' })
  async checkpoints(
    @Arg('first', () => Int, { defaultValue: 20, description: `How many (at most ${MAX_CHECKPOINTS}).` })
    first: number,
    @Arg('after', () => SafeInt, {
      nullable: true,
      description: 'A tree size: the checkpoints of smaller trees (the next page after the last one listed).',
    })
    after: number | null,
    @Ctx() { em }: Context,
  ): Promise<CheckpointAnswer[]> {
    if (first < 1 || first > MAX_CHECKPOINTS)
      throw new BadInputError(`\`first\` must be from 1 to ${MAX_CHECKPOINTS}; got ${first}`, 'first');
    if (after != null && after < 0) throw new BadInputError(`\`after\` must be a tree size; got ${after}`, 'after');
    return (await checkpointsPage(emQueryable(em), first, after ?? null)).map(checkpointAnswer);
  }

  @Query(() => CheckpointAnswer, {
    nullable: true,
    description:
      'The newest checkpoint signed at or before `time` — "the checkpoint of day D" is checkpointAt(the end of D). ' +
      'Null when none was signed by then.',
  })
  async checkpointAt(
    @Arg('time', () => DateTime) time: Instant,
    @Ctx() { em }: Context,
  ): Promise<CheckpointAnswer | null> {
    const found = await checkpointAt(emQueryable(em), time);
    return found && checkpointAnswer(found);
  }

  @Query(() => InclusionProof, {
    description:
      "A record's inclusion proof: its leaf in the tree of `treeSize` leaves (default: the newest checkpoint's). " +
      'Codes: RECORD_NOT_FOUND, NOT_INTEGRATED (retry after the integration delay), NOT_IN_TREE (integrated after ' +
      '`treeSize`), TREE_SIZE_BEYOND_TREE, NO_CHECKPOINT (none signed yet and no `treeSize`), BAD_USER_INPUT.',
  })
  async inclusionProof(
    @Arg('id', () => ID, { description: 'The `id` of a node, an audit event or a correction.' }) id: string,
    @Arg('treeSize', () => SafeInt, { nullable: true }) treeSize: number | null,
    @Ctx() { em }: Context,
  ): Promise<InclusionProof> {
    const ref = recordRefOf(id, 'id');
    const connection = emQueryable(em);
    // An argument left out arrives undefined, one given as null as null: both ask for the default.
    const target = await proofTarget(connection, treeSize ?? null);
    const [proof] = await proveRecords(connection, [ref], target.treeSize);
    return inclusionAnswer(proof!, target.treeSize, target.checkpoint);
  }

  @Query(() => ConsistencyProof, {
    description:
      'The consistency proof between two tree sizes: the tree of `from` leaves is a prefix of the tree of `to`. ' +
      'Codes: BAD_USER_INPUT (a negative size, `from` > `to`), TREE_SIZE_BEYOND_TREE.',
  })
  async consistencyProof(
    @Arg('from', () => SafeInt) from: number,
    @Arg('to', () => SafeInt) to: number,
    @Ctx() { em }: Context,
  ): Promise<ConsistencyProof> {
    return consistencyAnswer(await proveConsistency(emQueryable(em), from, to));
  }
}
