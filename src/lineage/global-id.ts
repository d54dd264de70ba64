import { BadInputError } from '../base/errors';
import { isDatabaseId } from '../graphql/arguments';
import { parseGlobalId } from '../graphql/global-id';
import { isNodeType, type NodeType } from './node-types';

/**
 * Decodes a global id of a node type; with `expected`, refuses an id of
 * another type. Throws BAD_USER_INPUT naming the argument.
 */
export function fromGlobalId(
  globalId: string,
  argument: string,
  expected?: NodeType,
): { type: NodeType; databaseId: string } {
  const parsed = parseGlobalId(globalId);
  if (!parsed || !isNodeType(parsed.typeName) || !isDatabaseId(parsed.databaseId)) {
    throw new BadInputError(`\`${argument}\` is not a valid id: use an \`id\` returned by this API`, argument);
  }
  const type = parsed.typeName;
  if (expected && type !== expected) {
    throw new BadInputError(`\`${argument}\` is the id of type ${type}, not ${expected}`, argument);
  }
  return { type, databaseId: parsed.databaseId };
}
