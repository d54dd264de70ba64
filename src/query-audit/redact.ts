export const REDACTED = '[REDACTED]';

/** Variables larger than this are recorded by size only: the log must not become the biggest table. */
export const MAX_RECORDED_VARIABLES_BYTES = 64 * 1024;

/**
 * The variables as the audit log keeps them: values under a redacted name (at
 * any depth, case-insensitive) replaced, NUL characters (which jsonb refuses)
 * replaced, and oversized variables reduced to their size.
 */
export function variablesForTheRecord(variables: unknown, redactedNames: ReadonlySet<string>): Record<string, unknown> | null {
  if (variables === undefined || variables === null) return null;
  const redacted = redact(variables, redactedNames);
  const text = JSON.stringify(redacted).replaceAll('\\u0000', '\\ufffd');
  if (Buffer.byteLength(text) > MAX_RECORDED_VARIABLES_BYTES) return { '[too large to record]': { bytes: Buffer.byteLength(text) } };
  return JSON.parse(text) as Record<string, unknown>;
}

function redact(value: unknown, names: ReadonlySet<string>): unknown {
  if (Array.isArray(value)) return value.map((item) => redact(item, names));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([name, inner]) => [name, names.has(name.toLowerCase()) ? REDACTED : redact(inner, names)]),
  );
}
