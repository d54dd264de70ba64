import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

export type EmbeddedServer = { url: string; port: number; adminUrl: string; stop(): Promise<void> };

/**
 * An embedded PostgreSQL in a child process (test/harness/embedded-server.cjs:
 * jest's module sandbox cannot load the ESM-only package), stopped by SIGTERM.
 */
export function startEmbeddedServer(dataDir: string, port?: number): Promise<EmbeddedServer> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(
      process.execPath,
      [path.join(__dirname, 'embedded-server.cjs'), dataDir, ...(port ? [String(port)] : [])],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
        env: { ...process.env, LOG_LEVEL: 'warn' },
      },
    );
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (!output.includes('\n')) return;
      const started = JSON.parse(output) as Omit<EmbeddedServer, 'stop'>;
      const exited = new Promise<void>((done) => child.once('exit', () => done()));
      resolve({ ...started, stop: () => (child.kill('SIGTERM'), exited) });
    });
    child.once('exit', (code) => reject(new Error(`the embedded server exited with ${code} before starting`)));
  });
}
