import { Arg, Authorized, Ctx, Mutation, Resolver } from 'type-graphql';
import { attestDay } from '../attestation/attest-day';
import { UnauthenticatedError } from '../base/errors';
import { Permission } from '../auth/roles';
import type { Context } from './context';
import { Attestation, attestationAnswer } from './types/attestation.types';

/** The daily compliance certification: the compliance role's (and admins'), never a writer's. */
@Authorized(Permission.attest)
@Resolver()
export class AttestationResolver {
  @Mutation(() => Attestation, {
    description:
      "Certify a UTC day: who (`by`), with the day's counts and the checkpoint covering it; the calling key is kept " +
      'beside the name. Refused: a day not over (DAY_NOT_ENDED), no checkpoint signed since it ended (NO_CHECKPOINT), ' +
      'a second attestation of the day by the same name (ALREADY_ATTESTED).',
  })
  async attestDay(
    @Arg('date', { description: 'YYYY-MM-DD, UTC.' }) date: string,
    @Arg('by') by: string,
    @Arg('note', () => String, { nullable: true }) note: string | null,
    @Ctx() { em, caller }: Context,
  ): Promise<Attestation> {
    // Attesting needs a key (the permission): anonymous callers never reach here.
    if (caller.kind !== 'key') throw new UnauthenticatedError('an attestation needs an API key');
    const key = { id: caller.keyId, name: caller.keyName };
    return attestationAnswer(await attestDay(em, { date, by, note }, { key }));
  }
}
