import type { NodeType } from '../lineage/node-types';
import type { Instant } from '../time/instant';
import type { Context } from './context';

/** The description every `statusAsOf` field shares. */
export const STATUS_AS_OF =
  'Time travel: the status as it stood at instant `at`, derived as `status` is from the status changes ' +
  '(and, for a position, the fills) made by then — one at exactly `at` counts. Null when the record did not exist yet.';
/** The description every `recordedStatus` field shares. */
export const RECORDED_STATUS =
  'The status the record was written with (`status` follows the status changes appended since): ' +
  'what its Merkle leaf holds, under this name.';
/** The description of a position's opening-state fields, whose current values are derived from its fills. */
export const RECORDED_OPENING = (field: string) =>
  `\`${field}\` as the position was written (its opening state; \`${field}\` is derived from the fills): ` +
  'what its Merkle leaf holds, under this name.';
export const STATUS_AS_OF_AT = 'The instant (RFC 3339, to the microsecond).';

/** A record's status as of `at`, batched per query level (see statusAsOfLoader). */
export const statusAsOf = <S extends string>(
  { loaders }: Context,
  type: NodeType,
  id: string,
  at: Instant,
): Promise<S | null> => loaders.statusAsOf(type).load({ id, at }) as Promise<S | null>;
