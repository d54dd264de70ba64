import { spawn } from 'node:child_process';
import path from 'node:path';
import { withClient } from './harness/database';

const BENCH = path.join(__dirname, '../dist/bench/import.bench.js');
const SCALE = '0.001';

/**
 * Benchmarks are not run by the suite, so one that no longer works goes
 * unnoticed until its numbers are needed (the import bench's database floor
 * broke twice that way). This runs it at its smallest scale, end to end.
 */
describe('the import benchmark', () => {
  afterAll(() =>
    withClient(process.env.AUDITGRAPH_TEST_ADMIN_URL!, (client) =>
      client.query(`drop database if exists auditgraph_bench_import_0_001 with (force)`),
    ),
  );

  it('runs at its smallest scale, through the database floors', async () => {
    const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [
        BENCH,
        '--scale',
        SCALE,
        '--server',
        process.env.AUDITGRAPH_TEST_ADMIN_URL!,
      ]);
      let output = '';
      child.stdout.on('data', (chunk) => (output += chunk));
      child.stderr.on('data', (chunk) => (output += chunk));
      child.on('error', reject);
      child.on('close', (exitCode) => resolve({ code: exitCode, output }));
    });
    expect({ code, output }).toEqual({
      code: 0,
      output: expect.stringMatching(/database floor without the record and chain triggers: /),
    });
  });
});
