import type { NodeType } from '../lineage/node-types';

/**
 * The sign each decimal field of a record must have, by node type and
 * GraphQL field: the record mutations and corrections check the same rules.
 */
export const DECIMAL_RULES: Readonly<Partial<Record<NodeType, Readonly<Record<string, 'positive' | 'not negative'>>>>> =
  {
    TradeDecision: { quantity: 'positive', limitPrice: 'positive' },
    Position: { avgCost: 'not negative' },
    TradeExecution: { filledQuantity: 'not negative', fillPrice: 'positive', commission: 'not negative' },
  };
