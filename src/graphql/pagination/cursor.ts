import { BadInputError } from '../../errors';
import { isDatabaseId } from '../arguments';

const PREFIX = 'cursor:v1';

/**
 * Opaque cursors name the node type and its database id. Keyset pagination
 * looks the sort key up from the id inside the same statement, so cursors stay
 * exact even though PostgreSQL timestamps carry microseconds that a
 * JavaScript Date cannot hold.
 */
export function encodeCursor(typeName: string, id: string): string {
  return Buffer.from(`${PREFIX}:${typeName}:${id}`, 'utf8').toString('base64url');
}

/** Returns the id inside a cursor of `typeName`, or throws BAD_USER_INPUT naming the argument. */
export function decodeCursor(cursor: string, typeName: string, argument: string): string {
  const decoded = /^[A-Za-z0-9_-]{1,200}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const match = /^cursor:v1:([A-Za-z]+):(\d+)$/.exec(decoded);
  if (!match || !isDatabaseId(match[2]!)) throw new BadInputError(`\`${argument}\` is not a valid cursor: use a cursor returned by this list`, argument);
  if (match[1] !== typeName) {
    throw new BadInputError(
      `\`${argument}\` is a cursor of a ${match[1]} list, not of a ${typeName} list`,
      argument,
    );
  }
  return match[2]!;
}
