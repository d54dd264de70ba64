import type { Knex } from '@mikro-orm/postgresql';
import type { LeafLine } from '../restore/export-layout';
import { type ArchiveFinding, fileFindings, frameFindings, leafRange, lineIsListed } from './archive-findings';
import type { ArchiveManifest } from './archive-manifest';
import type { ArchiveSettings } from './archive-settings';

/** A records file as the record names it: the leaf range its archive_written event says it holds. */
export type RecordedRange = { file: string; firstLeaf: number; lastLeaf: number; sha256: string };

/**
 * Every check of one records file of a full archive: the whole file (see
 * fileFindings), the range its event records against its manifest, then each
 * frame's tag and lines — every leaf in order, its hash the manifest's and
 * the tree's, with the rows it stands for.
 */
export async function verifyRecordsFile(
  knex: Knex,
  settings: ArchiveSettings,
  name: string,
  manifest: ArchiveManifest,
  recorded: RecordedRange | undefined,
  findings: ArchiveFinding[],
): Promise<{ frames: number; records: number }> {
  const found = (finding: Omit<ArchiveFinding, 'file'>) => findings.push({ file: name, ...finding });
  const listedLeaves = leafRange(manifest.records.map((record) => record.leafIndex));
  if (!recorded) found({ problem: 'no archive_written event of the record names this file', leaves: listedLeaves });
  else if (
    manifest.sha256 !== recorded.sha256 ||
    manifest.records.length !== recorded.lastLeaf - recorded.firstLeaf + 1 ||
    listedLeaves?.[0] !== recorded.firstLeaf ||
    listedLeaves?.[1] !== recorded.lastLeaf
  )
    found({
      problem: `its manifest is not the file the record says was written (leaves ${recorded.firstLeaf}–${recorded.lastLeaf})`,
      leaves: [recorded.firstLeaf, recorded.lastLeaf],
    });
  if (!(await fileFindings(knex, settings, name, manifest, found))) return { frames: 0, records: 0 };
  const { rows: leafRows } = (await knex.raw(
    `select leaf_index::float8 as leaf_index, encode(leaf_hash, 'hex') as leaf_hash
       from merkle_leaves where leaf_index between ? and ?`,
    listedLeaves ?? [0, -1],
  )) as { rows: { leaf_index: number; leaf_hash: string }[] };
  const treeLeaves = new Map(leafRows.map((row) => [row.leaf_index, row.leaf_hash]));
  await frameFindings(
    settings,
    name,
    manifest,
    found,
    (line, record) => {
      const { leafHash, rows } = line as LeafLine;
      return (
        lineIsListed(line, record) &&
        record.leafHash === leafHash &&
        treeLeaves.get(record.leafIndex) === record.leafHash &&
        Array.isArray(rows) &&
        rows.length > 0
      );
    },
    "the manifest or the tree's leaves",
  );
  return { frames: manifest.frames.length, records: manifest.records.length };
}

/**
 * Leaves no recorded records file holds between the first and the last one:
 * each run starts after the last, so the recorded ranges tile 0 … n − 1, and
 * a hole or an overlap means the record of the archive itself was broken.
 */
export function rangeFindings(ranges: readonly RecordedRange[]): ArchiveFinding[] {
  const findings: ArchiveFinding[] = [];
  let next = 0;
  for (const range of ranges) {
    if (range.firstLeaf > next)
      findings.push({
        file: range.file,
        problem: `leaves ${next}–${range.firstLeaf - 1}, before this file, are in no records file the record names`,
        leaves: [next, range.firstLeaf - 1],
      });
    else if (range.firstLeaf < next)
      findings.push({
        file: range.file,
        problem: `its leaves ${range.firstLeaf}–${range.lastLeaf} overlap an earlier records file's`,
        leaves: [range.firstLeaf, Math.min(range.lastLeaf, next - 1)],
      });
    next = Math.max(next, range.lastLeaf + 1);
  }
  return findings;
}
