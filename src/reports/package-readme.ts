import { PACKAGE_MANIFEST } from '../verifier/package-manifest';
import type { PackagePeriod } from './package-period';

export const README_PATH = 'README.txt';
export const README_DESCRIPTION = 'this file: what each file of the package is';

/** The package's README: the period, how to verify it, and one line per file saying what it is. */
export function packageReadme(period: PackagePeriod, files: readonly { path: string; description: string }[]): string {
  const listed = [...files, { path: README_PATH, description: README_DESCRIPTION }]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((file) => `  ${file.path}\n      ${file.description}`);
  return [
    'auditgraph compliance package',
    '',
    `Period: ${period.fromDay} through ${period.toDay} (UTC days, both included;`,
    `        instants ${period.from} up to, not including, ${period.until}).`,
    '',
    `${PACKAGE_MANIFEST} lists every other file with its SHA-256 and size, and is signed`,
    "(C2SP signed note, Ed25519) with the log's checkpoint key. Check the whole",
    'package offline, with no database or network:',
    '',
    '  auditgraph verify-bundle --package <this folder> --key <verifier key or keys.txt>',
    '',
    "It checks the signature, every file's hash and size, that no file is missing",
    "or added, both checkpoints' signatures and the consistency proof between them.",
    '',
    'Daily reports (daily-summary, trade-blotter) are run for every day: their CSV',
    'has a leading "day" column. The symbol report is run for every ticker decided',
    'in the period. Every JSON file keeps numbers exactly as stored.',
    '',
    'Files:',
    ...listed,
    '',
  ].join('\n');
}
