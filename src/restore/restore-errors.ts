import { DomainError } from '../base/errors';

/** Why a restore did not start: the target is not empty, or the package is not the record its checkpoint signs. */
export type RestoreRefusal = 'DATABASE_NOT_EMPTY' | 'PACKAGE_MISMATCH' | 'PACKAGE_UNREADABLE';

/**
 * A restore refused before or while it wrote, always with nothing written
 * (one transaction): the code says which kind, the message what and where.
 */
export class RestoreRefusedError extends DomainError {
  override name = 'RestoreRefusedError';
  constructor(
    readonly code: RestoreRefusal,
    message: string,
  ) {
    // The code in the text too: a terminal shows the message, and a script greps for the kind.
    super(`${code}: ${message}`);
  }
}
