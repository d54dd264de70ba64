/**
 * Every PostgreSQL advisory lock auditgraph takes, in one place so no two
 * share a key. Each makes one process the only one doing a thing among every
 * gateway and command on the database.
 */

/** The one integrator (any gateway, `auditgraph integrate`), and the checkpoint signer beside it. */
export const INTEGRATOR_LOCK = 2_323_230_001;
/** The one run that writes the archive or removes bodies (archive --execute, retention purge --execute). */
export const ARCHIVE_LOCK = 2_323_230_002;
/** The one process applying migrations; gateways starting together wait for it, then find nothing pending. */
export const MIGRATION_LOCK = 2_323_230_003;
