import path from 'node:path';

/** The top manifest's format: what `restore` reads first. */
export const EXPORT_FORMAT = 'auditgraph-export/1';

/** The top manifest of an export folder (plaintext: hashes, counts, public checkpoints, no record). */
export const EXPORT_MANIFEST = 'export.json';

/** Leaves per records file: a file is a consecutive leaf range, so a restore replays files in name order. */
export const LEAVES_PER_FILE = 100_000;

const pad = (index: number) => String(index).padStart(12, '0');

/** `records/leaves-<first>-<last>.agarch`: zero-padded, so the names sort in leaf order. */
export const recordsFileOf = (first: number, last: number): string =>
  path.join('records', `leaves-${pad(first)}-${pad(last)}.agarch`);

/** `tables/<table>.agarch`: a table that holds no leaves but that a restored gateway needs. */
export const tableFileOf = (table: string): string => path.join('tables', `${table}.agarch`);

/** A row of a table that is no leaf, as an archive line: its place in the table's file stands in for a leaf index. */
export type TableLine = { leafIndex: number; source: string; key: string; row: Record<string, string | null> };

/** A leaf as an archive line: the merkle_leaves entry and the row(s) it stands for, each column PostgreSQL's text. */
export type LeafLine = {
  leafIndex: number;
  source: string;
  key: string;
  leafHash: string;
  rows: Record<string, string | null>[];
};

/** The top manifest. Every file named here has its own `<file>.manifest.json`, hashes of every frame and record. */
export type ExportManifest = {
  format: typeof EXPORT_FORMAT;
  /** The signed checkpoint note every records file is consistent with: its tree size is the export's leaves. */
  checkpoint: string;
  treeSize: number;
  root: string;
  keyId: string;
  exportedAt: string;
  /** The highest writer transaction id of any exported row: a restore's own must come after it. */
  maxRecordedXid: string;
  records: { file: string; firstLeaf: number; lastLeaf: number }[];
  tables: { file: string; table: string; rows: number }[];
  /** merkle_checkpoints and checkpoint_keys up to the checkpoint: public by design, so in plaintext here. */
  checkpoints: Record<string, string | null>[];
  checkpointKeys: Record<string, string | null>[];
  /** What a restored database gets otherwise, and why it is not in the export. */
  notExported: Record<string, string>;
};
