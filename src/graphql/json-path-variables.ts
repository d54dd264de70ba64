/**
 * What cannot follow `$` in a variable's name, after which `$` alone is the
 * root: PostgreSQL's jsonpath scanner's special characters and its blanks,
 * which are only space, tab, CR, LF and form feed — not JavaScript's `\s`,
 * which also takes U+FEFF and other spaces the scanner reads as a name.
 */
const NOT_IN_A_NAME = /[?%$.[\]{}()|&!=<>@#,*:\-+/\\ \t\n\r\f]/;

/**
 * Whether a SQL/JSON path refers to a variable (`$name`, `$"name"`). The
 * parser accepts one, but evaluating it without the variable passed fails
 * on the first row — as a query error, not as the caller's bad input.
 * String literals are skipped: `"$x"` is text.
 */
export function referencesPathVariable(path: string): boolean {
  for (let index = 0; index < path.length; index++) {
    const character = path[index];
    if (character === '"') {
      for (index++; index < path.length && path[index] !== '"'; index++) if (path[index] === '\\') index++;
    } else if (character === '$') {
      const next = path[index + 1];
      if (next !== undefined && !NOT_IN_A_NAME.test(next)) return true;
    }
  }
  return false;
}
