import type { EntityManager } from '@mikro-orm/postgresql';
import type { PositionInput, RecordResult } from './record-inputs';
import { POSITIONS } from './record-tables';
import { checkCount, checkDecimal, checkText } from './input-checks';
import { record } from './record-batch';
import { DECIMAL_RULES } from './field-rules';

export function recordPositions(em: EntityManager, actor: string, positions: PositionInput[]): Promise<RecordResult> {
  checkCount(positions);
  positions.forEach((position, index) => {
    for (const field of ['externalId', 'account', 'symbol'] as const)
      checkText(position[field], `records[${index}].${field}`);
    for (const [field, rule] of Object.entries(DECIMAL_RULES.Position!))
      checkDecimal(position[field as keyof PositionInput] as string | null, `records[${index}].${field}`, rule);
  });
  return record(
    em,
    actor,
    POSITIONS,
    positions.map((position) => position.externalId),
    (bundle) => {
      bundle.positions = positions.map((position, index) => ({
        source: `records[${index}]`,
        row: {
          external_id: position.externalId,
          account: position.account,
          symbol: position.symbol,
          quantity: position.quantity,
          avg_cost: position.avgCost ?? null,
          status: position.status ?? 'open',
          opened_at: position.openedAt,
          closed_at: position.closedAt ?? null,
        },
      }));
    },
  );
}
