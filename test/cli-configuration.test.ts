import { CONFIG_VARIABLES, ConfigError, type ConfigVariable, loadConfig } from '../src/base/config';
import { runCli } from './harness/cli';

/** Values some variable refuses: each variable is tried with every one, and must refuse at least one. */
const HOSTILE_VALUES = ['verbose', 'a b;c', '-1', 'two\nlines'];
/** Any path is a path: the only variables with nothing to refuse (a key file is read, and refused, when used). */
const FREE_FORM: ConfigVariable[] = [
  'AUDITGRAPH_DATA_DIR',
  'AUDITGRAPH_CHECKPOINT_KEY_FILE',
  'AUDITGRAPH_WITNESS_DIR',
  'AUDITGRAPH_ARCHIVE_DIR',
  'AUDITGRAPH_ARCHIVE_KEY_FILE',
  'AUDITGRAPH_RETENTION_POLICY_FILE',
];

const refuses = (name: ConfigVariable, value: string) => {
  try {
    loadConfig({ [name]: value });
    return false;
  } catch (error) {
    if (error instanceof ConfigError) return true;
    throw error;
  }
};

const BAD = CONFIG_VARIABLES.filter((name) => !FREE_FORM.includes(name)).map((name) => ({
  name,
  value: HOSTILE_VALUES.find((value) => refuses(name, value)),
}));

/** Every command, with arguments it would accept. */
const COMMANDS = [
  ['serve'],
  ['migrate'],
  ['migration-create'],
  ['seed'],
  ['report', 'daily-summary', '--date', '2026-01-01'],
  ['integrity', '--quarter', '2026Q3'],
  ['verify'],
  ['integrate'],
  ['prove', 'VHJhZGVEZWNpc2lvbjox'],
  ['verify-bundle', '/nonexistent/bundle.json', '--key', 'k+00000000+AQ=='],
  ['checkpoint', 'show'],
  ['checkpoint', 'publish', '--to', '/nonexistent/witness'],
  ['checkpoint', 'keygen', '--name', 'x', '--out', '/nonexistent/k.key'],
  ['import', '/nonexistent/orders.jsonl'],
  ['retention', 'purge', '--older-than', '730d'],
  ['storage'],
  ['restore', '/nonexistent/export'],
  ['keys', 'create', '--name', 'x', '--role', 'admin'],
  ['keys', 'list'],
  ['keys', 'revoke', 'x'],
  ['schema', '--check'],
];

// Nothing may be reached even if the check were skipped: the database named does not answer.
const env = (name: string, value: string) => ({
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
  [name]: value,
});

/** Runs `work` over `items`, `width` at a time: CLI start-up is CPU-bound. */
async function inBatches<T, R>(items: T[], width: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let start = 0; start < items.length; start += width)
    results.push(...(await Promise.all(items.slice(start, start + width).map(work))));
  return results;
}

/** The one line a bad variable gets: its name, its value and what it accepts; exit 2; nothing else. */
const expectConfigurationLine = (
  args: string[],
  result: { code: number | null; stdout: string; stderr: string },
  name: string,
  value: string,
) =>
  expect({ args, ...result }).toEqual({
    args,
    code: 2,
    stdout: '',
    stderr: expect.stringMatching(
      new RegExp(
        `^auditgraph: invalid configuration: ${name}=${JSON.stringify(JSON.stringify(value)).slice(1, -1)} ` +
          `must be [^\\n]+\\n$`,
      ),
    ),
  });

describe('a bad configuration variable', () => {
  it('is refused for every variable of the schema, in one line naming it and what it accepts', () => {
    expect(BAD.filter((bad) => bad.value === undefined)).toEqual([]);
    expect(BAD.length).toBeGreaterThanOrEqual(COMMANDS.length);
    for (const { name, value } of BAD) {
      expect(() => loadConfig({ [name]: value! })).toThrow(
        new RegExp(`^invalid configuration: ${name}=".*" must be [^\\n]+$`),
      );
    }
  });

  it(
    'stops serve, a command that opens no database, ' +
      'a nested one and a database one with that line and exit 2 (LOG_LEVEL=verbose: no pino stack)',
    async () => {
      // The logger exists before the configuration is read: each kind of command start is tried.
      const commands = [['serve'], ['schema', '--check'], ['keys', 'list'], ['verify'], ['migrate']];
      const results = await inBatches(commands, 3, (args) => runCli(args, env('LOG_LEVEL', 'verbose')));
      results.forEach((result, index) => expectConfigurationLine(commands[index]!, result, 'LOG_LEVEL', 'verbose'));
    },
  );

  it('stops a command with that line and exit 2, for each variable of the schema', async () => {
    // Each variable on another command, in turn: every command meets one.
    const runs = BAD.map(({ name, value }, index) => ({
      name,
      value: value!,
      args: COMMANDS[index % COMMANDS.length]!,
    }));
    const results = await inBatches(runs, 3, ({ name, value, args }) => runCli(args, env(name, value)));
    results.forEach((result, index) =>
      expectConfigurationLine(runs[index]!.args, result, runs[index]!.name, runs[index]!.value),
    );
  });
});
