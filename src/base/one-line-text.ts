import { holdsUnstorableText } from './unstorable-text';

/**
 * What is wrong with `text` as one line of free text for the record (an
 * actor's name, a hold's reason), or undefined: blank, text PostgreSQL cannot
 * store, a control character (a line break would forge a line of every
 * listing and log that shows it), or more than `max` characters — counted as
 * PostgreSQL's length() counts text, code points rather than UTF-16 units, so
 * any script is accepted here exactly when the database's check accepts it.
 */
export function oneLineTextProblem(text: string, max: number): string | undefined {
  if (text.trim() === '') return 'is empty';
  if (holdsUnstorableText(text)) return 'holds a NUL or an unpaired UTF-16 surrogate';
  if (/\p{Cc}/u.test(text)) return 'holds a control character (a line break, a tab, …)';
  // A code point is one or two UTF-16 units: megabytes are refused before they are spread into an array.
  if (text.length > 2 * max) return `is longer than ${max} characters`;
  const length = [...text].length;
  if (length > max) return `is ${length} characters long`;
  return undefined;
}
