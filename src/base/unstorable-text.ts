/**
 * What PostgreSQL text and jsonb cannot hold: NUL, and UTF-16 surrogates
 * without their pair (JSON can spell `"\ud800"`; UTF-8 cannot encode it).
 */
// eslint-disable-next-line no-control-regex -- NUL is exactly what is looked for
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Whether `text` holds a character PostgreSQL cannot store. */
export function holdsUnstorableText(text: string): boolean {
  UNSTORABLE.lastIndex = 0;
  return UNSTORABLE.test(text);
}

/** `text` with every character PostgreSQL cannot store replaced by U+FFFD, the replacement character. */
export function storableText(text: string): string {
  return text.replace(UNSTORABLE, '\ufffd');
}

/**
 * Whether any string of a parsed JSON value, key or value, holds a character
 * PostgreSQL cannot store. Iterative: the value comes from outside, and a
 * recursive walk is a stack overflow at a few thousand levels (so, for its
 * width, is a spread of a long array).
 */
export function valueHoldsUnstorableText(value: unknown): boolean {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const next = pending.pop();
    if (typeof next === 'string') {
      if (holdsUnstorableText(next)) return true;
    } else if (Array.isArray(next)) {
      // Not push(...next): spread arguments live on the stack, and a 1 MB body holds an array of 500,000 numbers.
      for (const item of next) pending.push(item);
    } else if (next !== null && typeof next === 'object') {
      for (const [key, inner] of Object.entries(next)) {
        if (holdsUnstorableText(key)) return true;
        pending.push(inner);
      }
    }
  }
  return false;
}
