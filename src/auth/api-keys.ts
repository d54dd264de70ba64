import type { EntityManager } from '@mikro-orm/postgresql';
import { ApiKey } from '../entities';
import { BadInputError } from '../base/errors';
import { AdminEvent, type AdminEventRef, appendAdminEvent } from '../admin/admin-events';
import { inWriteTransaction } from '../record/write-transaction';
import { isDatabaseId } from '../graphql/arguments';
import { readModelOf } from '../queries/read-model';
import { displayPrefix, generateSecret, hashSecret } from './api-key-secret';
import { type Role } from './roles';
import { type Instant, instantFromDatabase, millisecondsOf } from '../time/instant';

/** A live key as authentication needs it. */
export type KeyIdentity = { id: string; name: string; role: Role; expiresAt: Instant | null };

const NAME_SHAPE = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

/** Every column of a key but its secret's hash, timestamps as PostgreSQL's text (to the microsecond). */
const KEY_COLUMNS = 'id::text, name, role, prefix, created_at::text, expires_at::text, revoked_at::text';

/** How every admin event about a key names it. */
const keyFacts = (key: ApiKey) => ({ keyId: key.id, name: key.name });

/** A key just issued: its secret (returned once, here), and the event that records who issued it. */
export type IssuedKey = { key: ApiKey; secret: string; event: AdminEventRef };

/**
 * Issues a key, and appends in the same transaction the `api_key_created`
 * ADMIN event saying who (`actor`) issued which key: its id, name, role,
 * prefix and expiry, never the secret nor its hash. Only the secret's hash is stored.
 */
export async function createApiKey(
  em: EntityManager,
  actor: string,
  request: { name: string; role: Role; expiresAt?: Instant | null },
): Promise<IssuedKey> {
  if (!NAME_SHAPE.test(request.name)) {
    throw new BadInputError(
      'a key name is 1–64 letters, digits, `.`, `_`, `@` or `-`, starting with a letter or digit',
      'name',
    );
  }
  if (request.expiresAt && millisecondsOf(request.expiresAt) <= Date.now()) {
    throw new BadInputError('the expiry must be in the future', 'expires');
  }
  const secret = generateSecret();
  return inWriteTransaction(em, async (trx) => {
    // The live-name index decides, so two concurrent issues of one name cannot both succeed.
    const {
      rows: [row],
    } = await trx.raw(
      `insert into api_keys (name, role, secret_hash, prefix, expires_at) values (?, ?, ?, ?, ?)
       on conflict (name) where revoked_at is null do nothing
       returning ${KEY_COLUMNS}`,
      [request.name, request.role, hashSecret(secret), displayPrefix(secret), request.expiresAt ?? null],
    );
    if (!row)
      throw new BadInputError(
        `a live key named "${request.name}" already exists: revoke it first or pick another name`,
        'name',
      );
    const key = readModelOf(em, ApiKey)(row);
    const event = await appendAdminEvent(trx, actor, AdminEvent.apiKeyCreated, {
      ...keyFacts(key),
      role: key.role,
      prefix: key.prefix,
      expiresAt: key.expiresAt,
    });
    return { key, secret, event };
  });
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

/**
 * Revokes a live key, found by id or by name, and appends in the same
 * transaction the `api_key_revoked` ADMIN event saying who (`actor`) revoked
 * it. Takes effect on every gateway at once (see ApiKeyVerifier).
 */
export async function revokeApiKey(
  em: EntityManager,
  actor: string,
  idOrName: string,
): Promise<{ key: ApiKey; event: AdminEventRef }> {
  const [column, value] = isDatabaseId(idOrName) ? ['id', idOrName] : ['name', idOrName];
  return inWriteTransaction(em, async (trx) => {
    const {
      rows: [found],
    } = await trx.raw(
      `select ${KEY_COLUMNS} from api_keys where ${column} = ? ${column === 'name' ? 'and revoked_at is null' : ''}
       for update`,
      [value],
    );
    if (!found) throw new BadInputError(`no live key has the id or name "${idOrName}"`, 'key');
    const toKey = readModelOf(em, ApiKey);
    const live = toKey(found);
    if (live.revokedAt)
      throw new BadInputError(`key ${live.id} ("${live.name}") was already revoked at ${live.revokedAt}`, 'key');
    const {
      rows: [row],
    } = await trx.raw(`update api_keys set revoked_at = now() where id = ? returning ${KEY_COLUMNS}`, [live.id]);
    const key = toKey(row);
    const event = await appendAdminEvent(trx, actor, AdminEvent.apiKeyRevoked, keyFacts(key));
    return { key, event };
  });
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
