import type { KeyIdentity } from './api-keys';
import { ANONYMOUS_GRANTS, grantsOf, type Permission, type Role } from './roles';

/** Who is asking, and what they may do. Made once per request by `authenticate`. */
export type Caller =
  | { kind: 'anonymous'; address: string | undefined; grants: ReadonlySet<Permission> }
  | {
      kind: 'key';
      address: string | undefined;
      grants: ReadonlySet<Permission>;
      keyId: string;
      keyName: string;
      role: Role;
    };

export function anonymousCaller(address: string | undefined): Caller {
  return { kind: 'anonymous', address, grants: ANONYMOUS_GRANTS };
}

export function keyCaller(key: KeyIdentity, address: string | undefined): Caller {
  return { kind: 'key', address, grants: grantsOf(key.role), keyId: key.id, keyName: key.name, role: key.role };
}

/** How the caller appears in logs and the query audit log. */
export function describeCaller(caller: Caller): string {
  return caller.kind === 'key' ? `key ${caller.keyId} "${caller.keyName}" (${caller.role})` : 'anonymous';
}

/** Who the record says wrote something: the key's name (writers always hold a key). */
export function actorOf(caller: Caller): string {
  return caller.kind === 'key' ? caller.keyName : 'anonymous';
}
