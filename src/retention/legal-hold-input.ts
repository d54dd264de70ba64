import { BadInputError } from '../base/errors';
import { oneLineTextProblem } from '../base/one-line-text';
import { HOLD_NAME_MAX_LENGTH, HOLD_REASON_MAX_LENGTH, type HoldScope } from '../entities/legal-hold.entity';
import { dayStart, InstantError } from '../time/instant';

/** What a hold keeps: one symbol, account or strategy, or the UTC days from `from` through `to`. */
export type HoldScopeInput =
  { kind: 'symbol' | 'account' | 'strategy'; name: string } | { kind: 'period'; from: string; to: string };

/** A scope as the record stores it, one column per kind. */
export type StoredScope = {
  kind: HoldScope;
  symbol: string | null;
  account: string | null;
  strategy: string | null;
  from: string | null;
  to: string | null;
};

function checkedText(text: string, max: number, argument: string): string {
  const trimmed = text.trim();
  const problem = oneLineTextProblem(trimmed, max);
  if (problem) throw new BadInputError(`${argument} ${problem}: it must be 1–${max} characters of one line`, argument);
  return trimmed;
}

/** A hold's or a release's reason: one line of 1–2000 characters in any script. */
export const checkedReason = (reason: string, argument = 'reason'): string =>
  checkedText(reason, HOLD_REASON_MAX_LENGTH, argument);

function checkedDay(text: string, argument: string): string {
  try {
    dayStart(text);
    return text;
  } catch (error) {
    if (error instanceof InstantError) throw new BadInputError(`${argument} ${error.message}`, argument);
    throw error;
  }
}

/** A scope checked before any database is opened: a name of one line, or days that exist, in order. */
export function checkedScope(scope: HoldScopeInput): StoredScope {
  const stored: StoredScope = { kind: scope.kind, symbol: null, account: null, strategy: null, from: null, to: null };
  if (scope.kind !== 'period')
    return { ...stored, [scope.kind]: checkedText(scope.name, HOLD_NAME_MAX_LENGTH, scope.kind) };
  const from = checkedDay(scope.from, 'from');
  const to = checkedDay(scope.to, 'to');
  if (from > to) throw new BadInputError(`from ${from} is after to ${to}: a period runs forward`, 'from');
  return { ...stored, from, to };
}
