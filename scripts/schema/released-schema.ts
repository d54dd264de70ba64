/** Where the last released schema is kept: a file, as a fresh clone in CI may have no tags to read it from. */
export const RELEASED_SCHEMA_FILE = 'schema/released.graphql';

const HEADER = /^# The schema released as auditgraph (\S+): /;

/**
 * What `npm run schema:release` writes: schema.graphql, its generated-file
 * header (which says not to edit it) replaced by one naming the release, so
 * the two files differ by that line alone until the API changes.
 */
export function releasedSchemaText(generated: string, version: string): string {
  const header =
    `# The schema released as auditgraph ${version}: written by \`npm run schema:release\`; ` +
    '`npm run schema:check` fails on a breaking change against it that CHANGELOG.md does not declare.';
  return `${header}\n${generated.replace(/^(#.*\n)+/, '')}`;
}

/** The release a released schema's header names, to say what a change is measured against. */
export function releasedVersion(released: string): string | undefined {
  return HEADER.exec(released)?.[1];
}
