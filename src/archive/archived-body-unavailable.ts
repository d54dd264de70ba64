import { DomainError } from '../base/errors';

/**
 * A purged body whose archived copy cannot be read back now (the archive is
 * not configured or not mounted, the file changed, another key): a field
 * error with a stable code. Its message names the archive file relative to
 * the archive folder and the frame, never the server's paths; the log has the rest.
 */
export class ArchivedBodyUnavailableError extends DomainError {
  readonly code = 'ARCHIVE_UNAVAILABLE';
  override name = 'ArchivedBodyUnavailableError';
}
