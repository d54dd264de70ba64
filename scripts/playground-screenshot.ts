import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadInvestigations } from '../src/server/playground/investigations';
import { installationPath } from '../src/base/installation-path';
import { openPlayground } from './playground-browser';

/**
 * `npm run screenshot [file]`: the README's picture of the playground
 * (docs/playground.png unless a file is named), taken of what `npm start`
 * serves on a fresh machine — the built gateway on a new embedded database it
 * seeds with the demo data — with the first saved tab Run before anything is
 * typed, as a newcomer would.
 */
async function main(): Promise<void> {
  const root = installationPath();
  const file = path.resolve(process.argv[2] ?? path.join(root, 'docs', 'playground.png'));
  const cli = path.join(root, 'dist', 'src', 'cli.js');
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` first (npm run screenshot does)`);

  const dataRoot = await mkdtemp(path.join(tmpdir(), 'auditgraph-screenshot-'));
  // The embedded server runs as the postgres user, who must be able to reach its data folder.
  await chmod(dataRoot, 0o755);
  let gateway: ChildProcess | undefined;
  try {
    // A clean environment, DATABASE_URL unset: serve's own defaults, embedded database and demo data.
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      AUDITGRAPH_DATA_DIR: path.join(dataRoot, 'postgres'),
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'warn',
    };
    gateway = spawn(process.execPath, [cli, 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const origin = new URL(await servingUrl(gateway)).origin;

    const investigations = loadInvestigations();
    const playground = await openPlayground(origin, investigations.at(-1)!.title);
    try {
      const { answer } = await playground.run();
      const wrong = [
        ...(answer.errors ? [`the first tab answered errors: ${JSON.stringify(answer.errors)}`] : []),
        ...playground.offsite().map((url) => `a request left the gateway's origin: ${url}`),
        ...playground.problems,
      ];
      if (wrong.length > 0) throw new Error(`not taking a screenshot of a broken playground:\n${wrong.join('\n')}`);
      await playground.page.screenshot({ path: file });
    } finally {
      await playground.close();
    }
    console.log(`wrote ${path.relative(process.cwd(), file) || file}: "${investigations[0].title}" on the demo data`);
  } finally {
    if (gateway) await stop(gateway);
    await rm(dataRoot, { recursive: true, force: true });
  }
}

/** Resolves with the GraphQL URL once `serve` prints it, passing its output (seeding the demo) through until then. */
function servingUrl(gateway: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    let serving = false;
    const onData = (chunk: Buffer) => {
      if (serving) return;
      process.stderr.write(chunk);
      output += chunk.toString();
      const match = /serving GraphQL at (\S+)/.exec(output);
      if (match) {
        serving = true;
        resolve(match[1]!);
      }
    };
    gateway.stdout!.on('data', onData);
    gateway.stderr!.on('data', onData);
    gateway.once('exit', (code) => reject(new Error(`auditgraph serve exited with ${code} before serving`)));
  });
}

/** Ctrl-C, as a user stops it: serve then stops its embedded PostgreSQL too. */
function stop(gateway: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (gateway.exitCode !== null || gateway.signalCode !== null) return resolve();
    gateway.once('exit', () => resolve());
    gateway.kill('SIGINT');
  });
}

main().catch((error: Error) => {
  console.error(`screenshot: ${error.message}`);
  process.exitCode = 1;
});
