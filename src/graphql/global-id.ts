import { BadInputError } from '../errors';
import { isDatabaseId } from './arguments';

/** The node types a global id can name. */
export const NODE_TYPES = ['IngestionRun', 'ApiPayload', 'TradeDecision', 'TradeExecution', 'Position'] as const;
export type NodeType = (typeof NODE_TYPES)[number];

/**
 * Relay global ids: opaque strings that name a node type and its database id,
 * so `node(id:)` can fetch any node and an id of one type is never taken for
 * another.
 */
export function toGlobalId(type: NodeType, databaseId: string): string {
  return Buffer.from(`${type}:${databaseId}`, 'utf8').toString('base64url');
}

/** Decodes a global id; with `expected`, refuses an id of another type. Throws BAD_USER_INPUT naming the argument. */
export function fromGlobalId(
  globalId: string,
  argument: string,
  expected?: NodeType,
): { type: NodeType; databaseId: string } {
  const decoded = /^[A-Za-z0-9_-]{1,100}={0,2}$/.test(globalId)
    ? Buffer.from(globalId, 'base64url').toString('utf8')
    : '';
  const match = /^([A-Za-z]+):(\d+)$/.exec(decoded);
  const type = match?.[1] as NodeType | undefined;
  if (!match || !type || !NODE_TYPES.includes(type) || !isDatabaseId(match[2]!)) {
    throw new BadInputError(`\`${argument}\` is not a valid id: use an \`id\` returned by this API`, argument);
  }
  if (expected && type !== expected) {
    throw new BadInputError(`\`${argument}\` is the id of type ${type}, not ${expected}`, argument);
  }
  return { type, databaseId: match[2]! };
}
