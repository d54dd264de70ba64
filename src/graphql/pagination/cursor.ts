import { BadInputError } from '../../base/errors';
import { isDatabaseId } from '../arguments';

const PREFIX = 'cursor:v1';

/**
 * Opaque cursors name the list, the database id and the list's order
 * (`TradeDecision:12:CREATED_AT_ASC`); a cursor of a list's default order
 * names none, as every cursor did before lists took `orderBy`, so those keep
 * working. Keyset pagination looks the sort key up from the id inside the
 * same statement, so cursors stay exact even though PostgreSQL timestamps
 * carry microseconds that a JavaScript Date cannot hold.
 */
export function encodeCursor(list: string, id: string, order: string | null = null): string {
  return sealCursor(order ? `${list}:${id}:${order}` : `${list}:${id}`);
}

/** The opaque form of a cursor's content (`list:key`); every cursor of the API is written by this. */
export function sealCursor(content: string): string {
  return Buffer.from(`${PREFIX}:${content}`, 'utf8').toString('base64url');
}

/** The content a cursor was sealed with, or null when it is not one of ours. */
export function unsealCursor(cursor: string): string | null {
  const decoded = /^[A-Za-z0-9_-]{1,200}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  return decoded.startsWith(`${PREFIX}:`) ? decoded.slice(PREFIX.length + 1) : null;
}

const LIST_CURSOR = /^([A-Za-z]+(?:\/\d{1,19}\/[a-z][A-Za-z]*)?):(\d+)(?::([A-Z][A-Z0-9_]*))?$/;

/** The list a node-id cursor was written for, or null when it is not such a cursor. */
export function listOfCursor(cursor: string): string | null {
  return LIST_CURSOR.exec(unsealCursor(cursor) ?? '')?.[1] ?? null;
}

/**
 * The list a cursor belongs to: a node type name for the root lists
 * (`TradeDecision`), `Parent/parentId/field` for one node's own list
 * (`Position/65/executions`), so a cursor of one position's executions is
 * refused on another's.
 */
export const childListName = (parentType: string, parentId: string, field: string) =>
  `${parentType}/${parentId}/${field}`;

export function describeList(list: string): string {
  const [parentType, parentId, field] = list.split('/');
  return field ? `the ${field} of ${parentType} ${parentId}` : `a ${list} list`;
}

/** A list's order as a cursor checks it: its name, and whether it is the list's default (named by no cursor). */
export type CursorOrder = { name: string; isDefault: boolean };

/**
 * Returns the id inside a cursor of `list` read in `order`, or throws
 * BAD_USER_INPUT naming the argument: a cursor of another list, or of the
 * same list in another order, is refused rather than read as a position in
 * an order it was not taken from.
 */
export function decodeCursor(cursor: string, list: string, argument: string, order: CursorOrder): string {
  const match = LIST_CURSOR.exec(unsealCursor(cursor) ?? '');
  if (!match || !isDatabaseId(match[2]!))
    throw new BadInputError(`\`${argument}\` is not a valid cursor: use a cursor returned by this list`, argument);
  if (match[1] !== list) {
    throw new BadInputError(
      `\`${argument}\` is a cursor of ${describeList(match[1]!)}, not of ${describeList(list)}`,
      argument,
    );
  }
  const cursorOrder = match[3] ?? null;
  // A default order's cursors name no order; one naming it is ours all the same.
  if (cursorOrder !== order.name && (cursorOrder !== null || !order.isDefault)) {
    throw new BadInputError(
      `\`${argument}\` is a cursor of ${describeList(list)} in ${cursorOrder ? `order ${cursorOrder}` : 'its default order'}, ` +
        `not in order ${order.name}: page with the orderBy the cursor was read in`,
      argument,
    );
  }
  return match[2]!;
}
