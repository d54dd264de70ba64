import { type Command, Option } from 'commander';
import { verifyChain } from '../chain/verify-chain';
import { number } from './arguments';
import { commandAction } from './command-action';
import { EXIT_DONE, EXIT_FOUND } from './exit-codes';
import { formatOption, printJson } from './output-format';
import { withOrm } from './with-orm';

/** The tamper-evidence check: every hash recomputed, a break is its exit code. */
export function registerChainCommands(program: Command): void {
  program
    .command('verify')
    .description('recompute every hash of the record and the chain; exit 0 intact, 1 tampered, 2 could not run')
    .addOption(
      new Option('--limit <n>', 'most breaks listed')
        .argParser(
          number(
            '--limit',
            (value) => Number.isInteger(value) && value >= 1 && value <= 10_000,
            'a whole number from 1 to 10000',
          ),
        )
        .default(100),
    )
    .addOption(formatOption(['text', 'json']))
    .action(
      commandAction(async (options: { limit: number; format: 'text' | 'json' }) => {
        const result = await withOrm((orm) => verifyChain(orm.em.fork(), { limit: options.limit }));
        if (options.format === 'json') printJson(result);
        else {
          process.stdout.write(
            `${result.intact ? 'intact' : 'TAMPERED'}: ${result.events} events, ` +
              `${result.records} records verified in ${result.durationMs} ms\n`,
          );
          if (result.firstBreak) process.stdout.write(`first break: ${result.firstBreak.problem}\n`);
          for (const found of result.breaks.slice(1)) process.stdout.write(`  also: ${found.problem}\n`);
        }
        return result.intact ? EXIT_DONE : EXIT_FOUND;
      }),
    );
}
