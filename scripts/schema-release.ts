import { readFileSync, writeFileSync } from 'node:fs';
import { installationPath } from '../src/base/installation-path';
import { RELEASED_SCHEMA_FILE, releasedSchemaText, releasedVersion } from './schema/released-schema';

/**
 * `npm run schema:release`: schema.graphql becomes the released schema, named
 * by package.json's version, which must be the new release's: a release's
 * schema once kept is not rewritten.
 */
function main(): void {
  const read = (file: string) => readFileSync(installationPath(file), 'utf8');
  const { version } = JSON.parse(read('package.json')) as { version: string };
  const previous = read(RELEASED_SCHEMA_FILE);
  const next = releasedSchemaText(read('schema.graphql'), version);
  if (next === previous) {
    console.log(`${RELEASED_SCHEMA_FILE} already holds schema.graphql as released in ${version}.`);
    return;
  }
  if (releasedVersion(previous) === version) {
    console.error(
      `${RELEASED_SCHEMA_FILE} holds the schema released as ${version}, and schema.graphql has changed since: ` +
        "set package.json's version to the new release first.",
    );
    process.exitCode = 1;
    return;
  }
  writeFileSync(installationPath(RELEASED_SCHEMA_FILE), next);
  console.log(
    `${RELEASED_SCHEMA_FILE} now holds schema.graphql as released in ${version}. Move CHANGELOG.md's ` +
      `[Unreleased] entries under a new "## [${version}] - ${new Date().toISOString().slice(0, 10)}" heading: ` +
      'until then `npm run schema:check` reports its Breaking declarations as stale.',
  );
}

try {
  main();
} catch (error) {
  // As schema:check: 2 when it could not run (a file missing, say), never a stack trace.
  console.error(`schema:release could not run: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 2;
}
