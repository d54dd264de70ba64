import { BadInputError } from './errors';
import { oneLineTextProblem } from './one-line-text';

/**
 * The most characters an actor (who did something, as audit_events.actor
 * names them) may have: the column's check is made from it. Counted as
 * PostgreSQL's length() counts text — code points, not UTF-16 units — so a
 * name in any script is accepted here exactly when the database accepts it.
 */
export const ACTOR_MAX_LENGTH = 200;

/**
 * What is wrong with `actor` as a name for the record, or undefined: free
 * text, a person's name in any script, one line of 1–ACTOR_MAX_LENGTH
 * characters (see oneLineTextProblem).
 */
export const actorProblem = (actor: string): string | undefined => oneLineTextProblem(actor, ACTOR_MAX_LENGTH);

/** `actor` without surrounding spaces, or BAD_USER_INPUT naming `argument` and what is wrong with it. */
export function checkedActor(actor: string, argument: string): string {
  const trimmed = actor.trim();
  const problem = actorProblem(trimmed);
  if (problem)
    throw new BadInputError(`${argument} ${problem}: an actor is 1–${ACTOR_MAX_LENGTH} characters`, argument);
  return trimmed;
}
