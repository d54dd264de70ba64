import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { installationPath } from '../src/base/installation-path';

/**
 * The disaster-recovery drill (issue 17): seed a database, export it, restore
 * the export into a fresh one and find the same tree head; then damage copies
 * of the export — one flipped byte, one deleted file, a manifest that no
 * longer matches its checkpoint — and see each named and refused, and a
 * restore into a database that is not empty refused. Runs the built CLI
 * (dist/src/cli.js) as an operator would, in the mode the environment says:
 * DATABASE_URL set, databases of its own on that server (dropped after);
 * unset, embedded clusters of its own. `npm run drill` prints the transcript;
 * test/disaster-recovery-drill.test.ts runs it in both modes.
 */

const CLI = installationPath('dist', 'src', 'cli.js');

export type DrillStep = { title: string; command: string; exit: number; output: string; expected: string; ok: boolean };
export type DrillResult = { ok: boolean; steps: DrillStep[]; transcript: string };

type Target = { env: NodeJS.ProcessEnv; name: string };

/** Where each database of the drill lives: its own database on the server, or its own embedded cluster. */
async function targets(work: string, names: string[]): Promise<{ targets: Target[]; drop(): Promise<void> }> {
  const base = { PATH: process.env.PATH, HOME: process.env.HOME, AUDITGRAPH_ACTOR: 'dr-drill' };
  const url = process.env.DATABASE_URL;
  if (!url) {
    chmodSync(work, 0o755);
    return {
      targets: names.map((name) => ({ name, env: { ...base, AUDITGRAPH_DATA_DIR: path.join(work, `${name}-pg`) } })),
      drop: async () => undefined,
    };
  }
  // A server deployment signs with a key of its own: one for the drill's source.
  const keyFile = path.join(work, 'checkpoint.key');
  spawnSync(process.execPath, [CLI, 'checkpoint', 'keygen', '--name', 'dr-drill', '--out', keyFile], { env: base });
  const suffix = randomBytes(4).toString('hex');
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  const databases = names.map((name) => `auditgraph_drill_${suffix}_${name}`);
  for (const database of databases) await admin.query(`create database ${database}`);
  const at = (database: string) => {
    const parsed = new URL(url);
    parsed.pathname = `/${database}`;
    return parsed.toString();
  };
  return {
    targets: names.map((name, index) => ({
      name,
      env: { ...base, DATABASE_URL: at(databases[index]!), AUDITGRAPH_CHECKPOINT_KEY_FILE: keyFile },
    })),
    async drop() {
      for (const database of databases) await admin.query(`drop database if exists ${database} with (force)`);
      await admin.end();
    },
  };
}

/** Runs the drill in a new folder under the system's temporary one (removed after); never throws for a failed step. */
export async function runDrill(options: { scale?: number } = {}): Promise<DrillResult> {
  const work = mkdtempSync(path.join(tmpdir(), 'auditgraph-drill-'));
  const steps: DrillStep[] = [];
  const lines: string[] = [];
  const archiveKey = path.join(work, 'archive.key');
  writeFileSync(archiveKey, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
  // The source's archive: the purge takes only bodies archived there and read back.
  const archiveDir = path.join(work, 'archive');
  mkdirSync(archiveDir);
  const { targets: all, drop } = await targets(work, ['source', 'restored', 'refused']);
  const [source, restored, refused] = all as [Target, Target, Target];
  const run = (
    title: string,
    where: Target | null,
    args: string[],
    expect: { exit: number; includes?: string[] },
  ): DrillStep => {
    const env = {
      ...(where?.env ?? all[0]!.env),
      AUDITGRAPH_ARCHIVE_KEY_FILE: archiveKey,
      AUDITGRAPH_ARCHIVE_DIR: archiveDir,
    };
    const child = spawnSync(process.execPath, [CLI, ...args], { env, cwd: work, encoding: 'utf8' });
    // The log lines of migrations are the server's business, not the drill's.
    const output = `${child.stdout}${child.stderr}`
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('{"level"'))
      .join('\n')
      .replaceAll(work, '$DRILL');
    const exit = child.status ?? -1;
    const ok = exit === expect.exit && (expect.includes ?? []).every((text) => output.includes(text));
    const expected = `exit ${expect.exit}${expect.includes ? `, says ${expect.includes.map((text) => JSON.stringify(text)).join(' and ')}` : ''}`;
    const step = {
      title,
      command: `auditgraph ${args.join(' ')}`.replaceAll(work, '$DRILL'),
      exit,
      output,
      expected,
      ok,
    };
    steps.push(step);
    lines.push(
      `## ${title}${where ? ` (${where.name} database)` : ''}`,
      `$ ${step.command}`,
      ...output.split('\n').map((line) => `  ${line}`),
      `exit ${exit} — expected ${expected}: ${ok ? 'ok' : 'FAILED'}`,
      '',
    );
    return step;
  };
  const exportDir = path.join(work, 'export');
  const copyOf = (name: string) => {
    const copy = path.join(work, name);
    cpSync(exportDir, copy, { recursive: true });
    return copy;
  };
  try {
    const scale = String(options.scale ?? 0.01);
    run('seed the source', source, ['seed', '--scale', scale], { exit: 0 });
    run(
      'an API key, so the export carries keys and ADMIN events',
      source,
      ['keys', 'create', '--name', 'drill', '--role', 'investigator'],
      { exit: 0 },
    );
    run('integrate: the seeded records become leaves under a signed checkpoint', source, ['integrate'], { exit: 0 });
    run(
      'archive bodies older than 30 days, read back before they are indexed',
      source,
      ['archive', '--older-than', '30d', '--execute'],
      { exit: 0 },
    );
    run(
      'purge bodies older than 30 days, so the export carries tombstones',
      source,
      ['retention', 'purge', '--older-than', '30d', '--allow-short-window', '--execute'],
      { exit: 0 },
    );
    run(
      'a full archive: every record integrated so far, each leaf with its rows (and the bodies not yet archived)',
      source,
      ['archive', '--full', '--older-than', '0d', '--execute'],
      { exit: 0, includes: ['full archive: archived'] },
    );
    run('the archive reads back whole', source, ['archive', 'verify'], { exit: 0, includes: ['archive whole'] });
    const exported = run('export every record', source, ['export', '--all', '--to', exportDir], {
      exit: 0,
      includes: ['exported'],
    });
    const head = /root ([0-9a-f]{64})/.exec(exported.output)?.[1] ?? 'none';
    const size = /at the checkpoint of tree size (\d+)/.exec(exported.output)?.[1] ?? 'none';
    run('read the export back', null, ['export', 'verify', exportDir], { exit: 0, includes: ['whole:'] });
    run('restore into a fresh database', restored, ['restore', exportDir], {
      exit: 0,
      includes: [`tree size ${size}, root ${head}: the checkpoint's`],
    });
    run('verify the restored database: intact, consistent with the exported checkpoint', restored, ['verify'], {
      exit: 0,
      includes: ['intact'],
    });
    run('restore into a database that is not empty', restored, ['restore', exportDir], {
      exit: 2,
      includes: ['DATABASE_NOT_EMPTY'],
    });

    const flipped = copyOf('export-flipped');
    const records = path.join(flipped, readRecordsFile(flipped));
    const bytes = readFileSync(records);
    bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
    writeFileSync(records, bytes);
    run('one byte flipped in a records file', null, ['export', 'verify', flipped], {
      exit: 1,
      includes: [path.basename(records), 'frame'],
    });

    const deleted = copyOf('export-deleted');
    unlinkSync(path.join(deleted, 'tables', 'api_keys.agarch'));
    run('one file deleted', null, ['export', 'verify', deleted], { exit: 1, includes: ['api_keys.agarch', 'ENOENT'] });

    const forged = copyOf('export-forged');
    const manifestFile = path.join(forged, `${readRecordsFile(forged)}.manifest.json`);
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
    manifest.records[0].leafHash = '0'.repeat(64);
    writeFileSync(manifestFile, JSON.stringify(manifest));
    run('a manifest that no longer matches its checkpoint', refused, ['restore', forged], {
      exit: 2,
      includes: ['PACKAGE_MISMATCH'],
    });

    const resigned = copyOf('export-other-tree');
    const top = JSON.parse(readFileSync(path.join(resigned, 'export.json'), 'utf8'));
    top.root = 'f'.repeat(64);
    writeFileSync(path.join(resigned, 'export.json'), JSON.stringify(top));
    run('an export that claims another tree than its checkpoint signs', refused, ['restore', resigned], {
      exit: 2,
      includes: ['PACKAGE_MISMATCH'],
    });
    run('the refused database was left empty: the good export restores into it', refused, ['restore', exportDir], {
      exit: 0,
      includes: [`root ${head}`],
    });
  } finally {
    await drop();
    rmSync(work, { recursive: true, force: true });
  }
  const ok = steps.every((step) => step.ok);
  lines.push(
    ok
      ? `drill passed: ${steps.length} steps`
      : `drill FAILED: ${steps.filter((step) => !step.ok).length} of ${steps.length} steps`,
  );
  return { ok, steps, transcript: lines.join('\n') };
}

/** The one records file of a small export (the drill's scale makes one). */
function readRecordsFile(dir: string): string {
  const top = JSON.parse(readFileSync(path.join(dir, 'export.json'), 'utf8')) as { records: { file: string }[] };
  return top.records[0]!.file;
}

if (require.main === module) {
  const scale = process.argv.includes('--scale')
    ? Number(process.argv[process.argv.indexOf('--scale') + 1])
    : undefined;
  runDrill({ scale }).then(
    (result) => {
      process.stdout.write(`${result.transcript}\n`);
      process.exitCode = result.ok ? 0 : 1;
    },
    (error: unknown) => {
      console.error(`the drill could not run: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 2;
    },
  );
}
