/**
 * Relay global ids: opaque strings that name a node type and its database id,
 * so `node(id:)` can fetch any node and an id of one type is never taken for
 * another. Which type names a global id may carry is the node-type
 * registry's to say (src/lineage/global-id.ts decodes against it).
 */
export function toGlobalId(typeName: string, databaseId: string): string {
  return Buffer.from(`${typeName}:${databaseId}`, 'utf8').toString('base64url');
}

/** The type name and database id a string spells as a global id, or null when it spells none. */
export function parseGlobalId(globalId: string): { typeName: string; databaseId: string } | null {
  const decoded = /^[A-Za-z0-9_-]{1,100}={0,2}$/.test(globalId)
    ? Buffer.from(globalId, 'base64url').toString('utf8')
    : '';
  const match = /^([A-Za-z]+):(\d+)$/.exec(decoded);
  return match ? { typeName: match[1]!, databaseId: match[2]! } : null;
}
