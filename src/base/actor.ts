import { BadInputError } from './errors';
import { holdsUnstorableText } from './unstorable-text';

/**
 * The most characters an actor (who did something, as audit_events.actor
 * names them) may have: the column's check is made from it. Counted as
 * PostgreSQL's length() counts text — code points, not UTF-16 units — so a
 * name in any script is accepted here exactly when the database accepts it.
 */
export const ACTOR_MAX_LENGTH = 200;

/**
 * What is wrong with `actor` as a name for the record, or undefined: free
 * text, a person's name in any script, but not blank, not longer than
 * ACTOR_MAX_LENGTH, and without control characters (a line break would
 * forge a line of every listing and log that shows it) or text PostgreSQL
 * cannot store.
 */
export function actorProblem(actor: string): string | undefined {
  if (actor.trim() === '') return 'is empty';
  if (holdsUnstorableText(actor)) return 'holds a NUL or an unpaired UTF-16 surrogate';
  if (/\p{Cc}/u.test(actor)) return 'holds a control character (a line break, a tab, …)';
  const length = [...actor].length;
  if (length > ACTOR_MAX_LENGTH) return `is ${length} characters long`;
  return undefined;
}

/** `actor` without surrounding spaces, or BAD_USER_INPUT naming `argument` and what is wrong with it. */
export function checkedActor(actor: string, argument: string): string {
  const trimmed = actor.trim();
  const problem = actorProblem(trimmed);
  if (problem)
    throw new BadInputError(`${argument} ${problem}: an actor is 1–${ACTOR_MAX_LENGTH} characters`, argument);
  return trimmed;
}
