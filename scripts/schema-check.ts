import { readFileSync } from 'node:fs';
import { installationPath } from '../src/base/installation-path';
import { compatibilityReport, isCompatible, schemaCompatibility } from './schema/breaking-changes';
import { RELEASED_SCHEMA_FILE, releasedVersion } from './schema/released-schema';

/**
 * schema.graphql (kept equal to the code by test/schema.test.ts) against the
 * last released schema and CHANGELOG.md, as `npm run schema:check` and
 * test/schema-breaking.test.ts run it.
 */
export function checkRepositorySchema(): { compatible: boolean; report: string } {
  const read = (file: string) => readFileSync(installationPath(file), 'utf8');
  const released = read(RELEASED_SCHEMA_FILE);
  const result = schemaCompatibility(released, read('schema.graphql'), read('CHANGELOG.md'));
  const version = releasedVersion(released);
  const against = `${version ? `the schema released as ${version}` : 'the released schema'} (${RELEASED_SCHEMA_FILE})`;
  return { compatible: isCompatible(result), report: compatibilityReport(result, against) };
}

if (require.main === module) {
  try {
    const { compatible, report } = checkRepositorySchema();
    (compatible ? process.stdout : process.stderr).write(`${report}\n`);
    process.exitCode = compatible ? 0 : 1;
  } catch (error) {
    // The command's convention: 1 is a finding, 2 a check that could not run (a file missing or not GraphQL).
    console.error(`schema:check could not run: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 2;
  }
}
