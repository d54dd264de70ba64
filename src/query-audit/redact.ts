import { isLosslessNumber } from 'lossless-json';
import { stringifyExactJson } from '../json/exact-json';
import { MAX_VARIABLES_DEPTH } from '../json/variables-depth';
import { holdsUnstorableText, storableText } from '../base/unstorable-text';

export const REDACTED = '[REDACTED]';

/** Variables larger than this are recorded by size only: the log must not become the biggest table. */
export const MAX_RECORDED_VARIABLES_BYTES = 64 * 1024;

/** Where the record says how its copy differs from what the client sent. */
export const ALTERED_FOR_THE_RECORD = '[altered for the record]';
/** What stands in for a value nested past the depth the gateway accepts (a refused request is recorded too). */
export const TOO_DEEP_TO_RECORD = `[nested deeper than ${MAX_VARIABLES_DEPTH} levels]`;

const NOTES = {
  unstorable: 'NUL characters and unpaired UTF-16 surrogates replaced by U+FFFD',
  tooDeep: `values nested deeper than ${MAX_VARIABLES_DEPTH} levels replaced by "${TOO_DEEP_TO_RECORD}"`,
} as const;

/**
 * The variables as the audit log keeps them: values under a redacted name (at
 * any depth, case-insensitive) replaced; what PostgreSQL cannot store (NUL,
 * lone surrogates, in keys and values) replaced by U+FFFD; nesting cut at
 * MAX_VARIABLES_DEPTH; and, when anything but redaction changed the copy,
 * a note under ALTERED_FOR_THE_RECORD saying what. Oversized variables are
 * reduced to their size.
 */
export function variablesForTheRecord(
  variables: unknown,
  redactedNames: ReadonlySet<string>,
): Record<string, unknown> | null {
  if (variables === undefined || variables === null) return null;
  const notes = new Set<keyof typeof NOTES>();
  const copy = recordable(variables, redactedNames, 0, notes) as Record<string, unknown>;
  const recorded =
    notes.size > 0 && typeof copy === 'object' && !Array.isArray(copy)
      ? { ...copy, [ALTERED_FOR_THE_RECORD]: [...notes].map((note) => NOTES[note]) }
      : copy;
  const bytes = Buffer.byteLength(stringifyExactJson(recorded));
  if (bytes > MAX_RECORDED_VARIABLES_BYTES) return { '[too large to record]': { bytes } };
  return recorded;
}

/** Recursion is bounded by MAX_VARIABLES_DEPTH, whatever the depth of `value`. */
function recordable(
  value: unknown,
  names: ReadonlySet<string>,
  depth: number,
  notes: Set<keyof typeof NOTES>,
): unknown {
  if (typeof value === 'string') return text(value, notes);
  // A number kept as its digits is a leaf, not an object to copy key by key.
  if (value === null || typeof value !== 'object' || isLosslessNumber(value)) return value;
  if (depth >= MAX_VARIABLES_DEPTH) {
    notes.add('tooDeep');
    return TOO_DEEP_TO_RECORD;
  }
  if (Array.isArray(value)) return value.map((item) => recordable(item, names, depth + 1, notes));
  return Object.fromEntries(
    Object.entries(value).map(([name, inner]) => [
      text(name, notes),
      names.has(name.toLowerCase()) ? REDACTED : recordable(inner, names, depth + 1, notes),
    ]),
  );
}

function text(value: string, notes: Set<keyof typeof NOTES>): string {
  if (!holdsUnstorableText(value)) return value;
  notes.add('unstorable');
  return storableText(value);
}
