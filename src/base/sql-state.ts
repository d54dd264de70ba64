/**
 * The SQLSTATE of a database error, if it is one. MikroORM wraps the driver's
 * error; pg's carries the SQLSTATE as `code`, a few causes down.
 */
export function sqlStateOf(error: unknown): string | undefined {
  for (
    let current = error as { code?: unknown; cause?: unknown } | undefined, depth = 0;
    current && depth < 3;
    current = current.cause as typeof current, depth++
  ) {
    if (typeof current.code === 'string' && /^[0-9A-Z]{5}$/.test(current.code)) return current.code;
  }
  return undefined;
}
