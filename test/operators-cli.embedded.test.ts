import { embeddedMode } from './harness/cli-modes';
import { describeOperatorsOnTheRecord } from './harness/operators-cli';

// In both of CI's runs: the embedded path is this file's own data folder, whatever DATABASE_URL the suite was given.
describeOperatorsOnTheRecord('with DATABASE_URL unset (embedded PostgreSQL)', embeddedMode);
