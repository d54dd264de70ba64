import { describeExitCodes } from './harness/cli-exit-matrix';
import { databaseUrlMode } from './harness/cli-modes';

describeExitCodes('with DATABASE_URL set', databaseUrlMode);
