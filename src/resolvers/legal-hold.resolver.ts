import { Arg, Authorized, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import { Permission } from '../auth/roles';
import { ApiPayload } from '../entities';
import { listLegalHolds } from '../retention/legal-hold-list';
import type { Context } from './context';
import { LegalHold } from './types/legal-hold.types';

/** The legal holds, for readers of compliance records. */
@Authorized(Permission.readCompliance)
@Resolver(() => LegalHold)
export class LegalHoldResolver {
  @Query(() => [LegalHold], { description: 'The active legal holds, oldest first; released ones too with `all`.' })
  legalHolds(@Arg('all', { defaultValue: false }) all: boolean, @Ctx() { em }: Context) {
    return listLegalHolds(em, { all });
  }
}

/** Whether a payload is kept by a hold: the purge's own predicate, one statement per query level. */
@Authorized(Permission.readLineage)
@Resolver(() => ApiPayload)
export class ApiPayloadHoldResolver {
  @FieldResolver(() => Boolean, {
    description:
      'An active legal hold reaches this payload (its period, or a symbol, account or strategy of its lineage): its body is never purged.',
  })
  underLegalHold(@Root() payload: ApiPayload, @Ctx() { loaders }: Context): Promise<boolean> {
    return loaders.payloadUnderHold.load(payload.id);
  }
}
