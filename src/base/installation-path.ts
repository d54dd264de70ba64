import { existsSync } from 'node:fs';
import path from 'node:path';
import { OperatorError } from './errors';

/**
 * The folder auditgraph is installed in: the nearest one above this file that
 * holds a package.json (the clone, or `node_modules/auditgraph`). The same
 * from `src/` under the tests and from `dist/src/` when built.
 */
function findInstallationRoot(from: string): string {
  for (let folder = from; ; folder = path.dirname(folder)) {
    if (existsSync(path.join(folder, 'package.json'))) return folder;
    if (path.dirname(folder) === folder)
      throw new OperatorError(`no package.json above ${from}: auditgraph is not installed as a package`);
  }
}

const INSTALLATION_ROOT = findInstallationRoot(__dirname);

/**
 * An absolute path inside the installation. Every default path (the embedded
 * database, and any folder or file later features keep by default) goes
 * through here, so a command finds the same data whichever folder it is run
 * from — cron runs from $HOME.
 */
export function installationPath(...segments: string[]): string {
  return path.join(INSTALLATION_ROOT, ...segments);
}
