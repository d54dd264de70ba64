import type { Command } from 'commander';
import { logger } from '../base/logger';
import { describeFailure, EXIT_DONE, type EXIT_FOUND, exitWith } from './exit-codes';

/** How a command that ran to its end tells scripts what it found: nothing to report (0), or something (1). */
export type Outcome = typeof EXIT_DONE | typeof EXIT_FOUND;

/**
 * Every command's action: `work` does the command and prints its answer, and
 * returns EXIT_FOUND when it found something (findings, a tampered record, a
 * file not imported) — nothing else sets an exit code. What it throws is told
 * by {@link runProgram}, with every other failure.
 */
export function commandAction<A extends unknown[]>(
  work: (...args: A) => Promise<Outcome | void>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    process.exitCode = (await work(...args)) ?? EXIT_DONE;
  };
}

/**
 * Runs the command line and is the one place the process ends: once the
 * command has finished and closed (or handed back) the database it opened,
 * with its outcome, or with the one line and exit code its failure is told by.
 */
export function runProgram(program: Command, argv: string[]): void {
  program.parseAsync(argv).then(
    () => exitWith(Number(process.exitCode ?? EXIT_DONE)),
    (error: unknown) => {
      logger.debug({ err: error }, 'command failed');
      const failure = describeFailure(error);
      if (failure.message) console.error(`auditgraph: ${failure.message}`);
      exitWith(failure.exitCode);
    },
  );
}
