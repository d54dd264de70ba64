import { DomainError } from '../base/errors';

/** Why a day cannot be attested, as a stable code (the CLI shows it after the message). */
export type AttestationRefusal = 'ALREADY_ATTESTED' | 'DAY_NOT_ENDED' | 'NO_CHECKPOINT';

/**
 * A well-formed attestation the record refuses: a second by the same person,
 * a day not over yet, or one no checkpoint signed since covers.
 */
export class AttestationError extends DomainError {
  override name = 'AttestationError';
  constructor(
    readonly code: AttestationRefusal,
    message: string,
    readonly argument: string,
  ) {
    super(`${message} (${code})`);
  }
}
