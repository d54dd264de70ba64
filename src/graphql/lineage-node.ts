import { createUnionType } from 'type-graphql';
import { ApiPayload, IngestionRun, Position, TradeDecision, TradeExecution } from '../entities';

/** Any record of the lineage graph, as its own object type. */
export const LineageNode = createUnionType({
  name: 'LineageNode',
  description: 'Any record of the lineage graph: ask for its fields with `... on TradeDecision { … }` and so on.',
  types: () => [IngestionRun, ApiPayload, TradeDecision, TradeExecution, Position] as const,
  resolveType: (value) => {
    if (value instanceof IngestionRun) return IngestionRun;
    if (value instanceof ApiPayload) return ApiPayload;
    if (value instanceof TradeDecision) return TradeDecision;
    if (value instanceof TradeExecution) return TradeExecution;
    return Position;
  },
});
