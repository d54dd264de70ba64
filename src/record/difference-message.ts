import type { ValueDifference } from './record-differences';

/**
 * Values up to this many characters are shown whole; longer ones as excerpts
 * around their first differing character.
 */
const SHOWN_WHOLE = 60;
/**
 * An excerpt starts this many characters before the first difference and is
 * this long, the same in both values so they line up.
 */
const EXCERPT_BEFORE = 20;
const EXCERPT_LENGTH = 50;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `decision_rationale.signals[2].score`: the column, then the JSON path down to the differing value. */
export function fieldName(column: string, path: ValueDifference['path']): string {
  return path.reduce<string>(
    (name, step) =>
      typeof step === 'number'
        ? `${name}[${step}]`
        : IDENTIFIER.test(step)
          ? `${name}.${step}`
          : `${name}[${JSON.stringify(step)}]`,
    column,
  );
}

const shownValue = (value: string | null, inJson: boolean) => value ?? (inJson ? 'absent' : 'null');

/**
 * Both values whole when short; otherwise an excerpt of each cut at the same
 * characters around the first one that differs (characters are code points,
 * so an emoji is never split), with where that is.
 */
function shownPair(recorded: string, sent: string): { from?: number; recorded: string; sent: string } {
  const [a, b] = [Array.from(recorded), Array.from(sent)];
  if (a.length <= SHOWN_WHOLE && b.length <= SHOWN_WHOLE) return { recorded, sent };
  let at = 0;
  while (at < a.length && at < b.length && a[at] === b[at]) at++;
  const start = Math.max(0, at - EXCERPT_BEFORE);
  const end = start + EXCERPT_LENGTH;
  const excerpt = (chars: string[]) =>
    `${start > 0 ? '…' : ''}${chars.slice(start, end).join('')}${chars.length > end ? '…' : ''}`;
  return { from: at + 1, recorded: excerpt(a), sent: excerpt(b) };
}

/**
 * What differs, for a CONFLICT message: every differing column, each with
 * its first differing field and both values there, e.g.
 * `quantity: 10.50000000 recorded, 11.00000000 now`.
 */
export function describeDifferences(differences: ValueDifference[], recordedLabel: string, sentLabel: string): string {
  if (differences.length === 0) return 'a column differs';
  return differences
    .map((difference) => {
      const inJson = difference.json && difference.path.length > 0;
      const pair = shownPair(shownValue(difference.recorded, inJson), shownValue(difference.sent, inJson));
      const at = pair.from ? ` from character ${pair.from}` : '';
      const where = `${fieldName(difference.column, difference.path)}${at}`;
      const more = difference.count > 1 ? ` (and ${difference.count - 1} more in ${difference.column})` : '';
      return `${where}: ${pair.recorded} ${recordedLabel}, ${pair.sent} ${sentLabel}${more}`;
    })
    .join('; ');
}
