import { databaseUrlMode } from './harness/cli-modes';
import { describeOperatorsOnTheRecord } from './harness/operators-cli';

describeOperatorsOnTheRecord('with DATABASE_URL set', databaseUrlMode);
