const SCHEMA_COORDINATE = /^@?[_A-Za-z][_0-9A-Za-z]*(?:\.[_A-Za-z][_0-9A-Za-z]*)?(?:\([_A-Za-z][_0-9A-Za-z]*:\))?$/;

/** The lines under the heading `title` matches, to the next heading of its level or above. */
function section(lines: readonly string[], level: number, title: RegExp): string[] {
  const start = lines.findIndex((line) => title.test(line));
  if (start < 0) return [];
  const end = lines.findIndex((line, index) => index > start && new RegExp(`^#{1,${level}} `).test(line));
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

/**
 * The schema coordinates CHANGELOG.md declares as intended breaking changes:
 * under `## [Unreleased]`, its `### Breaking` heading, each bullet that starts
 * with a schema coordinate in backticks (`` - `Query.decisions` removed: … ``).
 * Other bullets there are prose the schema check leaves alone (a break of the
 * command line, say).
 */
export function declaredBreakingChanges(changelog: string): string[] {
  const unreleased = section(changelog.split(/\r?\n/), 2, /^## \[Unreleased\]/i);
  return section(unreleased, 3, /^### Breaking\s*$/i)
    .map((line) => /^\s*[-*+] +`([^`]+)`/.exec(line)?.[1]?.trim())
    .filter((coordinate): coordinate is string => coordinate !== undefined && SCHEMA_COORDINATE.test(coordinate));
}
