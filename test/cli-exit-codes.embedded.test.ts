import { describeExitCodes } from './harness/cli-exit-matrix';
import { embeddedMode } from './harness/cli-modes';

// In both of CI's runs: the embedded path is this file's own data folder, whatever DATABASE_URL the suite was given.
describeExitCodes('with DATABASE_URL unset (embedded PostgreSQL)', embeddedMode);
