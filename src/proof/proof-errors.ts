import { DomainError } from '../base/errors';

// A proof request that cannot be answered, each with a code of its own that
// clients and scripts can rely on (README "Proofs"); the message says which
// record or size and why.

/** The record exists but the integrator has not given it a leaf yet (retry within the integration delay). */
export class NotIntegratedError extends DomainError {
  readonly code = 'NOT_INTEGRATED';
  override name = 'NotIntegratedError';
}

/** The record's leaf came after the tree size asked for: that tree does not hold it. */
export class NotInTreeError extends DomainError {
  readonly code = 'NOT_IN_TREE';
  override name = 'NotInTreeError';
}

/** A tree size larger than the tree the integrator has built. */
export class TreeSizeBeyondTreeError extends DomainError {
  readonly code = 'TREE_SIZE_BEYOND_TREE';
  override name = 'TreeSizeBeyondTreeError';
}

/** No checkpoint has been signed yet (or none at or before the time asked for). */
export class NoCheckpointError extends DomainError {
  readonly code = 'NO_CHECKPOINT';
  override name = 'NoCheckpointError';
}
