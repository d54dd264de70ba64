import type { EntityManager } from '@mikro-orm/postgresql';
import { ApiKey } from '../entities';
import { BadInputError } from '../base/errors';
import { isDatabaseId } from '../graphql/arguments';
import { readModelOf } from '../queries/read-model';
import { displayPrefix, generateSecret, hashSecret } from './api-key-secret';
import { type Role } from './roles';
import { type Instant, instantFromDatabase, instantOf, millisecondsOf } from '../time/instant';

/** A live key as authentication needs it. */
export type KeyIdentity = { id: string; name: string; role: Role; expiresAt: Instant | null };

const NAME_SHAPE = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

/** Issues a key. The secret is returned once, here; only its hash is stored. */
export async function createApiKey(
  em: EntityManager,
  request: { name: string; role: Role; expiresAt?: Instant | null },
): Promise<{ key: ApiKey; secret: string }> {
  if (!NAME_SHAPE.test(request.name)) {
    throw new BadInputError(
      'a key name is 1–64 letters, digits, `.`, `_`, `@` or `-`, starting with a letter or digit',
      'name',
    );
  }
  if (request.expiresAt && millisecondsOf(request.expiresAt) <= Date.now()) {
    throw new BadInputError('the expiry must be in the future', 'expires');
  }
  const live = await em.count(ApiKey, { name: request.name, revokedAt: null });
  if (live > 0)
    throw new BadInputError(
      `a live key named "${request.name}" already exists: revoke it first or pick another name`,
      'name',
    );
  const secret = generateSecret();
  const key = em.create(ApiKey, {
    name: request.name,
    role: request.role,
    secretHash: hashSecret(secret),
    prefix: displayPrefix(secret),
    expiresAt: request.expiresAt ?? null,
  });
  await em.flush();
  return { key, secret };
}

/** Every key, newest first, with when it was last used (from the query audit log); never the secret's hash. */
export async function listApiKeys(em: EntityManager): Promise<ApiKey[]> {
  const rows = await em.getConnection().execute<Record<string, unknown>[]>(
    `select k.id, k.name, k.role, k.prefix, k.created_at, k.expires_at, k.revoked_at,
            (select max(a.started_at) from query_audit_log a where a.api_key_id = k.id) as last_used_at
       from api_keys k
      order by k.created_at desc, k.id desc`,
  );
  const toKey = readModelOf(em, ApiKey);
  return rows.map((row) =>
    Object.assign(toKey(row), {
      lastUsedAt: row.last_used_at == null ? null : instantFromDatabase(row.last_used_at as string),
    }),
  );
}

/** Revokes a live key, found by id or by name. Takes effect on every gateway at once (see ApiKeyVerifier). */
export async function revokeApiKey(em: EntityManager, idOrName: string): Promise<ApiKey> {
  const where = isDatabaseId(idOrName) ? { id: idOrName } : { name: idOrName, revokedAt: null };
  const key = await em.findOne(ApiKey, where);
  if (!key) throw new BadInputError(`no live key has the id or name "${idOrName}"`, 'key');
  if (key.revokedAt)
    throw new BadInputError(`key ${key.id} ("${key.name}") was already revoked at ${key.revokedAt}`, 'key');
  key.revokedAt = instantOf(new Date());
  await em.flush();
  return key;
}

/** The live (not revoked) key whose secret hashes to this, if any; expiry is the caller's to check. */
export async function findLiveKey(em: EntityManager, secretHash: string): Promise<KeyIdentity | null> {
  const key = await em.findOne(
    ApiKey,
    { secretHash, revokedAt: null },
    { fields: ['id', 'name', 'role', 'expiresAt'], disableIdentityMap: true },
  );
  return key && { id: key.id, name: key.name, role: key.role, expiresAt: key.expiresAt };
}
