/**
 * `auditgraph-compliance-package/1`: the manifest of a compliance package, a
 * C2SP signed note (signed with the log's checkpoint key) whose text is
 *
 *   auditgraph-compliance-package/1
 *   period <first instant> <exclusive end instant>
 *   <sha256 hex> <bytes> <path>        one line per file, paths in sorted order
 *
 * so `sha256sum`-minded examiners read it by eye, and this verifier checks it
 * with no database or network. The manifest itself, MANIFEST.note, is the one
 * file of the folder it does not list.
 */
export const PACKAGE_FORMAT = 'auditgraph-compliance-package/1';
export const PACKAGE_MANIFEST = 'MANIFEST.note';

/** A path a package holds: '/'-separated names of letters, digits, '.', '_' and '-', none of them '.' or '..'. */
export const isPackagePath = (path: string): boolean =>
  path.length <= 255 &&
  path.split('/').every((name) => /^[A-Za-z0-9._-]+$/.test(name) && name !== '.' && name !== '..');

export type ManifestEntry = { path: string; sha256: string; bytes: number };
export type Manifest = { from: string; until: string; files: ManifestEntry[] };

/** A manifest text that is not one of ours; the message says which line. */
export class ManifestFormatError extends Error {
  override readonly name = 'ManifestFormatError';
}

const INSTANT = /^\d{4,5}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** The manifest's text (what is signed), files sorted by path. */
export function formatManifest(manifest: Manifest): string {
  const files = [...manifest.files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return [
    PACKAGE_FORMAT,
    `period ${manifest.from} ${manifest.until}`,
    ...files.map((file) => `${file.sha256} ${file.bytes} ${file.path}`),
    '',
  ].join('\n');
}

/** The strict inverse of formatManifest. */
export function parseManifest(text: string): Manifest {
  if (!text.endsWith('\n')) throw new ManifestFormatError('the manifest does not end in a newline');
  const [format, periodLine, ...lines] = text.slice(0, -1).split('\n');
  if (format !== PACKAGE_FORMAT) throw new ManifestFormatError(`line 1 is not ${PACKAGE_FORMAT}`);
  const period = /^period (\S+) (\S+)$/.exec(periodLine ?? '');
  if (period === null || !INSTANT.test(period[1]!) || !INSTANT.test(period[2]!))
    throw new ManifestFormatError('line 2 is not "period <instant> <instant>"');
  const files = lines.map((line, at): ManifestEntry => {
    const match = /^([0-9a-f]{64}) (0|[1-9][0-9]{0,15}) (\S+)$/.exec(line);
    if (match === null || !isPackagePath(match[3]!) || match[3] === PACKAGE_MANIFEST)
      throw new ManifestFormatError(`line ${at + 3} is not "<sha256 hex> <bytes> <path>"`);
    return { sha256: match[1]!, bytes: Number(match[2]), path: match[3]! };
  });
  const manifest = { from: period[1]!, until: period[2]!, files };
  if (formatManifest(manifest) !== text)
    throw new ManifestFormatError('the manifest is not in its one spelling (paths sorted, each once)');
  if (new Set(files.map((file) => file.path)).size !== files.length)
    throw new ManifestFormatError('the manifest lists a path twice');
  return manifest;
}
