import { spawn } from 'node:child_process';
import path from 'node:path';
import { withClient } from './harness/database';

const BENCH = path.join(__dirname, '../dist/bench/integration.bench.js');
const SCALE = '0.01';

/**
 * Benchmarks are not run by the suite, so one that no longer works goes
 * unnoticed until its numbers are needed. This runs the integration benchmark
 * at a small scale and a second per run, end to end: the catch-up from an
 * emptied tree, and one run with the integrator on, one off, one in a process of its own.
 */
describe('the integration benchmark', () => {
  afterAll(() =>
    withClient(process.env.AUDITGRAPH_TEST_ADMIN_URL!, (client) =>
      client.query(`drop database if exists auditgraph_bench_integration_s0_01 with (force)`),
    ),
  );

  it('runs at a small scale: every write seen as a leaf, and a second run integrates from an empty tree again', async () => {
    const runBench = () =>
      new Promise<{ code: number | null; output: string }>((resolve, reject) => {
        const child = spawn(process.execPath, [
          BENCH,
          ...['--scale', SCALE, '--duration', '1', '--warmup', '1', '--rounds', '1', '--rate', '20'],
          ...['--states', 'on,off,separate'],
          ...['--server', process.env.AUDITGRAPH_TEST_ADMIN_URL!],
        ]);
        let output = '';
        child.stdout.on('data', (chunk) => (output += chunk));
        child.stderr.on('data', (chunk) => (output += chunk));
        child.on('error', reject);
        child.on('close', (exitCode) => resolve({ code: exitCode, output }));
      });
    const first = await runBench();
    expect(first).toEqual({ code: 0, output: expect.stringMatching(/W1 req\/s, integrator on ÷ off: \d/) });
    // The on and separate runs: some writes measured, each of them seen as a leaf, none refused.
    expect(first.output).toMatch(/^\| 1 \| on \| \d+ \| \d+ \| \d+ \| 0 \| [1-9]\d* \| .* \| 0 \| 0 \| /m);
    expect(first.output).toMatch(/^\| 3 \| separate \| \d+ \| \d+ \| \d+ \| 0 \| [1-9]\d* \| .* \| 0 \| 0 \| /m);

    // The second run empties the tree again and integrates every record from the start: the dataset
    // as before plus the records the first run's producer and W1 appended.
    const leaves = (output: string) => Number(/: ([\d,]+) leaves in/.exec(output)![1]!.replace(/,/g, ''));
    const second = await runBench();
    expect(second.code).toBe(0);
    expect(leaves(second.output)).toBeGreaterThan(leaves(first.output));
  });
});
