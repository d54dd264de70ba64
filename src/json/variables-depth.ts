/**
 * How deep objects and arrays may nest in a request's variables (and
 * extensions). Far beyond any real JSON filter or payload, far below what
 * recursive code (GraphQL's coercion, the NUL check, the audit copy) and
 * PostgreSQL's jsonb parser (about 3,000 levels) survive.
 */
export const MAX_VARIABLES_DEPTH = 64;

/**
 * Whether `value` nests objects or arrays more than `limit` levels deep.
 * Iterative, and stops at the first path past the limit, so any depth a
 * request body can carry is measured without recursion.
 */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const pending: [unknown, number][] = [[value, 0]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [current, depth] = next;
    if (current === null || typeof current !== 'object') continue;
    if (depth + 1 > limit) return true;
    for (const inner of Object.values(current)) pending.push([inner, depth + 1]);
  }
  return false;
}
