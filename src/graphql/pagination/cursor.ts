import { BadInputError } from '../../errors';
import { isDatabaseId } from '../arguments';

const PREFIX = 'cursor:v1';

/**
 * Opaque cursors name the node type and its database id. Keyset pagination
 * looks the sort key up from the id inside the same statement, so cursors stay
 * exact even though PostgreSQL timestamps carry microseconds that a
 * JavaScript Date cannot hold.
 */
export function encodeCursor(list: string, id: string): string {
  return Buffer.from(`${PREFIX}:${list}:${id}`, 'utf8').toString('base64url');
}

/**
 * The list a cursor belongs to: a node type name for the root lists
 * (`TradeDecision`), `Parent/parentId/field` for one node's own list
 * (`Position/65/executions`), so a cursor of one position's executions is
 * refused on another's.
 */
export const childListName = (parentType: string, parentId: string, field: string) => `${parentType}/${parentId}/${field}`;

function describeList(list: string): string {
  const [parentType, parentId, field] = list.split('/');
  return field ? `the ${field} of ${parentType} ${parentId}` : `a ${list} list`;
}

/** Returns the id inside a cursor of `list`, or throws BAD_USER_INPUT naming the argument. */
export function decodeCursor(cursor: string, list: string, argument: string): string {
  const decoded = /^[A-Za-z0-9_-]{1,200}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const match = /^cursor:v1:([A-Za-z]+(?:\/\d{1,19}\/[a-z][A-Za-z]*)?):(\d+)$/.exec(decoded);
  if (!match || !isDatabaseId(match[2]!)) throw new BadInputError(`\`${argument}\` is not a valid cursor: use a cursor returned by this list`, argument);
  if (match[1] !== list) {
    throw new BadInputError(`\`${argument}\` is a cursor of ${describeList(match[1]!)}, not of ${describeList(list)}`, argument);
  }
  return match[2]!;
}
