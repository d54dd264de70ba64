import { DomainError } from '../base/errors';

/**
 * Why an archive file (or its manifest) cannot be read back as written: the
 * file is gone or shorter than it was, a frame fails its tag (changed bytes,
 * a frame moved, or not the key it was written with), a manifest that is not
 * one. The message names the file and, where there is one, the frame and its
 * byte range, so an operator knows which copy to fetch again.
 */
export class ArchiveUnreadableError extends DomainError {
  readonly code = 'ARCHIVE_UNREADABLE';
  override name = 'ArchiveUnreadableError';
}
