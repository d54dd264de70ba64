import { describeFailure, EXIT_COULD_NOT_RUN } from '../src/cli/exit-codes';
import { OperatorError } from '../src/base/errors';

/** A driver error as MikroORM hands it over: the SQLSTATE a cause or two down, the statement in the message. */
const wrapped = (code: string, message: string) =>
  Object.assign(new Error(`select * from secret_table where id = 1 - ${message}`), {
    cause: Object.assign(new Error(message), { code }),
  });

describe('what a terminal is told about a command that failed', () => {
  it.each([
    [
      'a query the database refused, its SQLSTATE a cause down',
      wrapped('42P01', 'relation "x" does not exist'),
      /^the database refused the command \(SQLSTATE 42P01\); LOG_LEVEL=debug logs the details$/,
    ],
    [
      'a server that is down',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED', syscall: 'connect' }),
      /^cannot reach the database: connect ECONNREFUSED 127\.0\.0\.1:1$/,
    ],
    [
      'a password refused',
      wrapped('28P01', 'password authentication failed for user "x"'),
      /^cannot reach the database: /,
    ],
    [
      'a connection lost mid-command',
      new Error('Connection terminated unexpectedly'),
      /^cannot reach the database: Connection terminated unexpectedly$/,
    ],
    [
      'a file that cannot be read',
      Object.assign(new Error("EACCES: permission denied, open '/x/orders.jsonl'"), {
        code: 'EACCES',
        syscall: 'open',
      }),
      /^the command failed: EACCES: permission denied, open '\/x\/orders\.jsonl'$/,
    ],
    [
      'a query builder quoting its statement',
      new Error(
        'Undefined binding(s) detected when compiling RAW. Undefined column(s): [id] query: ' +
          'select * from secret_table where id = ?',
      ),
      /^the command failed unexpectedly; LOG_LEVEL=debug logs the details$/,
    ],
    [
      'something an operator can fix, said for them',
      new OperatorError('a PostgreSQL server (pid 7) still holds /x/.data/postgres; stop it and retry'),
      /^a PostgreSQL server \(pid 7\) still holds \/x\/\.data\/postgres; stop it and retry$/,
    ],
  ])('%s: one line, exit 2, no statement', (_case, error, message) => {
    const failure = describeFailure(error);
    expect(failure.exitCode).toBe(EXIT_COULD_NOT_RUN);
    expect(failure.message).toMatch(message);
    expect(failure.message).not.toMatch(/secret_table|select/i);
  });
});
