import { spawn } from 'node:child_process';
import path from 'node:path';
import { withClient } from './harness/database';

const SCALE = '0.001';

/** Runs the built benchmark `name` with `args` on the tests' server; its exit code and output. */
function runBench(name: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [
      path.join(__dirname, `../dist/bench/${name}.bench.js`),
      ...args,
      '--server',
      process.env.AUDITGRAPH_TEST_ADMIN_URL!,
    ]);
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('close', (exitCode) => resolve({ code: exitCode, output }));
  });
}

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
    expect(await runBench('import', ['--scale', SCALE])).toEqual({
      code: 0,
      output: expect.stringMatching(/database floor without any trigger: /),
    });
  });
});

describe('the writers benchmark', () => {
  it('runs at its smallest scale: each schema imported while a producer writes', async () => {
    const { code, output } = await runBench('writers', ['--scale', SCALE, '--rounds', '1']);
    expect({ code, output }).toEqual({ code: 0, output: expect.stringMatching(/new \/ floor = \d/) });
    for (const variant of ['new', 'floor', 'old'])
      expect(output).toMatch(new RegExp(`^round 1 ${variant} *: [\\d,]+ lines/s .* producer \\d+ writes, p50`, 'm'));
  });
});
