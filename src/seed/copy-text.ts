/**
 * Formats rows for `COPY … FROM STDIN` in PostgreSQL's text format: columns
 * separated by tabs, rows by newlines, NULL as \N, and backslash, tab,
 * newline and carriage return escaped with a backslash.
 */
export type CopyValue = string | number | boolean | null | undefined | Date | object;

const NEEDS_ESCAPE = /[\\\t\n\r]/;

export function escapeCopyText(text: string): string {
  if (!NEEDS_ESCAPE.test(text)) return text;
  return text.replace(/[\\\t\n\r]/g, (character) =>
    character === '\\' ? '\\\\' : character === '\t' ? '\\t' : character === '\n' ? '\\n' : '\\r',
  );
}

function copyField(value: CopyValue): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'string') return escapeCopyText(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString();
  return escapeCopyText(JSON.stringify(value));
}

export function copyRow(values: readonly CopyValue[]): string {
  return values.map(copyField).join('\t') + '\n';
}
