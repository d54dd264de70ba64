/**
 * Domain errors, thrown where the problem is found and turned into a stable
 * `extensions.code` in one place (`formatError`), so resolvers never catch.
 */
export abstract class DomainError extends Error {
  abstract readonly code: string;
}

/**
 * Something on this machine an operator can fix (a server left running on
 * the data folder, one that will not start): its message is written for the
 * terminal, which the CLI shows whole. Not a GraphQL error.
 */
export class OperatorError extends Error {
  override name = 'OperatorError';
}

/** The caller asked for something malformed: a bad cursor, id, range or page size. */
export class BadInputError extends DomainError {
  readonly code = 'BAD_USER_INPUT';
  override name = 'BadInputError';
  constructor(
    message: string,
    readonly argument?: string,
  ) {
    super(message);
  }
}

/** No record has this id: it is well formed, but nothing was ever written under it (a proof's, a correction's). */
export class RecordNotFoundError extends DomainError {
  readonly code = 'RECORD_NOT_FOUND';
  override name = 'RecordNotFoundError';
  constructor(
    message: string,
    readonly argument?: string,
  ) {
    super(message);
  }
}

/**
 * The answer would be larger than the stated most one answer carries, for a
 * field that has no pages: refused whole rather than cut silently.
 */
export class ResultTooLargeError extends DomainError {
  readonly code = 'RESULT_TOO_LARGE';
  override name = 'ResultTooLargeError';
}

/** No valid API key where one is needed. Over HTTP: 401. */
export class UnauthenticatedError extends DomainError {
  readonly code = 'UNAUTHENTICATED';
  override name = 'UnauthenticatedError';
}

/** A valid key whose role does not allow this field. */
export class ForbiddenError extends DomainError {
  readonly code = 'FORBIDDEN';
  override name = 'ForbiddenError';
}

/**
 * A request refused before GraphQL runs, for what its HTTP body is (not JSON,
 * too large, nested too deep, a persisted-query hash that does not match):
 * answered with `status` and recorded as a rejected operation.
 */
export class RequestRefusedError extends DomainError {
  override name = 'RequestRefusedError';
  constructor(
    readonly code: string,
    message: string,
    readonly status: number = 400,
  ) {
    super(message);
  }
}
