import type { AuthChecker } from 'type-graphql';
import type { Context } from './context';
import { ForbiddenError, UnauthenticatedError } from '../base/errors';
import { type Permission, rolesWith } from '../auth/roles';

/**
 * type-graphql's check for `@Authorized(permission…)`: the caller's role must
 * grant every permission named. Refusals say what would be needed, never
 * anything about the data.
 */
export const authChecker: AuthChecker<Context, Permission> = ({ context, info }, permissions) => {
  const { caller } = context;
  const missing = permissions.find((permission) => !caller.grants.has(permission));
  if (!missing) return true;
  const roles = rolesWith(missing).join(' or ');
  const field = `${info.parentType.name}.${info.fieldName}`;
  if (caller.kind === 'anonymous') {
    throw new UnauthenticatedError(`${field} needs an API key with the role ${roles} (to ${missing})`);
  }
  throw new ForbiddenError(`the role ${caller.role} may not ${missing}: ${field} needs ${roles}`);
};
