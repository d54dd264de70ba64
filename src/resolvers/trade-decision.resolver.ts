import { Arg, Args, Ctx, FieldResolver, ID, ObjectType, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../context';
import { ApiPayload, TradeDecision, TradeExecution } from '../entities';
import { exactlyOne } from '../graphql/arguments';
import { fromGlobalId } from '../graphql/global-id';
import { Connection, ConnectionArgs } from '../graphql/pagination/connection';
import { findPage } from '../graphql/pagination/find-page';
import { TradeDecisionFilter, tradeDecisionWhere } from './filters/trade-decision.filter';

@ObjectType()
class TradeDecisionConnection extends Connection(TradeDecision, 'TradeDecision') {}

@Resolver(() => TradeDecision)
export class TradeDecisionResolver {
  @Query(() => TradeDecision, { nullable: true, description: 'One decision by global `id` or external `decisionId`; null when unknown.' })
  decision(
    @Arg('id', () => ID, { nullable: true }) id: string | null,
    @Arg('decisionId', () => String, { nullable: true }) decisionId: string | null,
    @Ctx() { loaders }: Context,
  ): Promise<TradeDecision | null> {
    const [key, value] = exactlyOne({ id, decisionId });
    return key === 'id' ? loaders.decisionById.load(fromGlobalId(value, 'id', 'TradeDecision').databaseId) : loaders.decisionByDecisionId.load(value);
  }

  @Query(() => TradeDecisionConnection, { description: 'Trade decisions, newest first.' })
  decisions(
    @Arg('filter', () => TradeDecisionFilter, { nullable: true }) filter: TradeDecisionFilter | null,
    @Args(() => ConnectionArgs) page: ConnectionArgs,
    @Ctx() { em }: Context,
  ) {
    const where = tradeDecisionWhere(filter);
    return findPage(
      em,
      { entity: TradeDecision, typeName: 'TradeDecision', filter: where, sortProperty: 'createdAt', json: { column: 'decision_rationale', filter: filter?.rationale, argument: 'filter.rationale' } },
      page,
    );
  }

  @FieldResolver(() => [ApiPayload], { description: 'The API payloads that fed this decision (FED, upstream).' })
  inputs(@Root() decision: TradeDecision, @Ctx() { loaders }: Context): Promise<ApiPayload[]> {
    return loaders.inputPayloadsByDecision.load(decision.id);
  }

  @FieldResolver(() => [TradeExecution], { description: 'The executions that carried this decision out (EXECUTED_AS).' })
  executions(@Root() decision: TradeDecision, @Ctx() { loaders }: Context): Promise<TradeExecution[]> {
    return loaders.executionsByDecision.load(decision.id);
  }
}
