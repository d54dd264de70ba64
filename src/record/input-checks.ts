import { BadInputError } from '../base/errors';

// What every record mutation checks before it opens a transaction: one bad field fails the whole batch, named by its path.

export const MAX_RECORDS = 1_000;
const MAX_TEXT = 500;

export function checkText(value: string | null | undefined, where: string, required = true): void {
  if (value == null) {
    if (required) throw new BadInputError(`${where} is required`, where);
    return;
  }
  if (value.trim() === '' || value.length > MAX_TEXT)
    throw new BadInputError(`${where} must be non-empty and at most ${MAX_TEXT} characters`, where);
}

/** A decimal's sign read from its digits, not through a float: `-0.00` is zero, `0.00000001` above it. */
const signOf = (decimal: string): -1 | 0 | 1 => (!/[1-9]/.test(decimal) ? 0 : decimal.startsWith('-') ? -1 : 1);

export function checkDecimal(value: string | null | undefined, where: string, rule: 'positive' | 'not negative'): void {
  if (value == null) return;
  const sign = signOf(value);
  if ((rule === 'positive' && sign <= 0) || (rule === 'not negative' && sign < 0))
    throw new BadInputError(`${where} must be ${rule === 'positive' ? 'above 0' : 'at least 0'}; got ${value}`, where);
}

export function checkCount(records: unknown[]): void {
  if (records.length < 1 || records.length > MAX_RECORDS)
    throw new BadInputError(`send from 1 to ${MAX_RECORDS} records; got ${records.length}`, 'records');
}
