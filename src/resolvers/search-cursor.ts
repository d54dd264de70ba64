import { createHash } from 'node:crypto';
import { BadInputError } from '../base/errors';
import { SEARCH_KINDS, type SearchHitKey, type SearchKind } from '../queries/search';
import { isDatabaseId } from '../graphql/arguments';
import { describeList, listOfCursor, sealCursor, unsealCursor } from '../graphql/pagination/cursor';

const SEARCH_CURSOR = new RegExp(`^SearchHit:([0-9a-f]{12}):(${SEARCH_KINDS.join('|')}):(\\d+)$`);

/**
 * The search text a cursor was written for, as a short digest: a hit's rank
 * depends on the text, so a cursor of one search would start a page of
 * another at an unrelated rank.
 */
const searchDigest = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 12);

/**
 * A search hit's cursor carries its kind and database id: the keyset
 * recomputes the hit's rank in SQL (it is exact there, a float4), so the
 * cursor never holds a number JavaScript could round.
 */
export function encodeSearchCursor(text: string, hit: SearchHitKey): string {
  return sealCursor(`SearchHit:${searchDigest(text)}:${hit.kind}:${hit.id}`);
}

/** Returns the hit a cursor of this search names, or throws BAD_USER_INPUT naming the argument. */
export function decodeSearchCursor(cursor: string, text: string, argument: string): SearchHitKey {
  const match = SEARCH_CURSOR.exec(unsealCursor(cursor) ?? '');
  if (!match || !isDatabaseId(match[3]!)) {
    // `SearchHit:<position>` was the cursor of offset pages, which could lose and repeat hits: not valid any more.
    const list = listOfCursor(cursor);
    const why =
      list && list !== 'SearchHit'
        ? `is a cursor of ${describeList(list)}, not of search hits`
        : 'is not a valid cursor: use a cursor returned by this search';
    throw new BadInputError(`\`${argument}\` ${why}`, argument);
  }
  if (match[1] !== searchDigest(text))
    throw new BadInputError(`\`${argument}\` is a cursor of another search: pass the same \`query\` text`, argument);
  return { kind: match[2] as SearchKind, id: match[3]! };
}
