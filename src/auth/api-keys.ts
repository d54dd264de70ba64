import type { EntityManager, Knex } from '@mikro-orm/postgresql';
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
const KEY_COLUMNS =
  'id::text, name, role, prefix, created_at::text, expires_at::text, revoked_at::text, replaced_by::text';

/** How every admin event about a key names it. */
const keyFacts = (key: ApiKey) => ({ keyId: key.id, name: key.name });

/** A key just issued: its secret (returned once, here), and the event that records who issued it. */
export type IssuedKey = { key: ApiKey; secret: string; event: AdminEventRef };

function checkedRequest(request: KeyRequest): void {
  if (!NAME_SHAPE.test(request.name)) {
    throw new BadInputError(
      'a key name is 1–64 letters, digits, `.`, `_`, `@` or `-`, starting with a letter or digit',
      'name',
    );
  }
  if (request.expiresAt && millisecondsOf(request.expiresAt) <= Date.now()) {
    throw new BadInputError('the expiry must be in the future', 'expires');
  }
}

type KeyRequest = { name: string; role: Role; expiresAt?: Instant | null };

/**
 * Inserts a key and its `api_key_created` event (id, name, role, prefix,
 * expiry and, for a rotation, the key it replaces; never the secret nor its
 * hash), or undefined when a current key has the name.
 */
async function insertKey(
  em: EntityManager,
  trx: Knex.Transaction,
  actor: string,
  request: KeyRequest,
  successor?: { id: string; replaces: string },
): Promise<IssuedKey | undefined> {
  const secret = generateSecret();
  // The current-name index decides, so two concurrent issues of one name cannot both succeed.
  const {
    rows: [row],
  } = await trx.raw(
    `insert into api_keys (id, name, role, secret_hash, prefix, expires_at)
     values (coalesce(?::bigint, nextval(pg_get_serial_sequence('api_keys', 'id'))), ?, ?, ?, ?, ?)
     on conflict (name) where revoked_at is null and replaced_by is null do nothing
     returning ${KEY_COLUMNS}`,
    [
      successor?.id ?? null,
      request.name,
      request.role,
      hashSecret(secret),
      displayPrefix(secret),
      request.expiresAt ?? null,
    ],
  );
  if (!row) return undefined;
  const key = readModelOf(em, ApiKey)(row);
  const event = await appendAdminEvent(trx, actor, AdminEvent.apiKeyCreated, {
    ...keyFacts(key),
    role: key.role,
    prefix: key.prefix,
    expiresAt: key.expiresAt,
    ...(successor ? { replaces: successor.replaces } : {}),
  });
  return { key, secret, event };
}

/**
 * Issues a key, and appends in the same transaction the `api_key_created`
 * ADMIN event saying who (`actor`) issued which key. Only the secret's hash is stored.
 */
export async function createApiKey(em: EntityManager, actor: string, request: KeyRequest): Promise<IssuedKey> {
  checkedRequest(request);
  return inWriteTransaction(em, async (trx) => {
    const issued = await insertKey(em, trx, actor, request);
    if (!issued)
      throw new BadInputError(
        `a live key named "${request.name}" already exists: revoke it first or pick another name`,
        'name',
      );
    return issued;
  });
}

/** The longest grace period a rotated key may keep working: a rotation is for ending a secret. */
export const MAX_ROTATION_GRACE_MS = 30 * 86_400_000;

/** A rotation: the successor (its secret shown once) and the old key, now ending at `key.expiresAt`. */
export type RotatedKey = { issued: IssuedKey; old: ApiKey; event: AdminEventRef };

/**
 * Rotates the current key of a name: issues its successor (same name and
 * role, the old key's expiry) and has the old key name it and end after
 * `graceMs` (sooner if it expired sooner), one transaction with both ADMIN
 * events (`api_key_created` with `replaces`, `api_key_rotated`). Gateways
 * forget the old key's cached expiry at once (the api_keys notification).
 */
export async function rotateApiKey(
  em: EntityManager,
  actor: string,
  name: string,
  graceMs: number,
): Promise<RotatedKey> {
  if (!Number.isSafeInteger(graceMs) || graceMs < 0 || graceMs > MAX_ROTATION_GRACE_MS)
    throw new BadInputError('the grace period must be from 0 to 30 days', 'grace');
  return inWriteTransaction(em, async (trx) => {
    const {
      rows: [found],
    } = await trx.raw(
      `select ${KEY_COLUMNS} from api_keys where name = ? and revoked_at is null and replaced_by is null for update`,
      [name],
    );
    const toKey = readModelOf(em, ApiKey);
    const current = found && toKey(found);
    if (!current || (current.expiresAt && millisecondsOf(current.expiresAt) <= Date.now()))
      throw new BadInputError(`no current, unexpired key is named "${name}"`, 'key');
    // The successor's id is taken first, so the old row can name it and leave the current-name index
    // before the successor takes the name (a unique index is checked row by row, never deferred).
    const {
      rows: [{ id: successorId }],
    } = await trx.raw(`select nextval(pg_get_serial_sequence('api_keys', 'id'))::text as id`);
    const {
      rows: [row],
    } = await trx.raw(
      `update api_keys set replaced_by = ?, expires_at = least(expires_at, now() + ? * interval '1 millisecond')
        where id = ? returning ${KEY_COLUMNS}`,
      [successorId, graceMs, current.id],
    );
    const old = toKey(row);
    const event = await appendAdminEvent(trx, actor, AdminEvent.apiKeyRotated, {
      ...keyFacts(old),
      replacedBy: successorId,
      endsAt: old.expiresAt,
    });
    const issued = await insertKey(
      em,
      trx,
      actor,
      { name: current.name, role: current.role, expiresAt: current.expiresAt },
      {
        id: successorId,
        replaces: old.id,
      },
    );
    return { issued: issued!, old, event };
  });
}

/** Every key, newest first, with when it was last used (from the query audit log); never the secret's hash. */
export async function listApiKeys(em: EntityManager): Promise<ApiKey[]> {
  const rows = await em.getConnection().execute<Record<string, unknown>[]>(
    `select k.id, k.name, k.role, k.prefix, k.created_at, k.expires_at, k.revoked_at, k.replaced_by,
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

/** The live keys `idOrName` names, locked: one by id, or every live key of a name (a rotated one in its grace too). */
async function lockLiveKeys(em: EntityManager, trx: Knex.Transaction, idOrName: string): Promise<ApiKey[]> {
  const [column, value] = isDatabaseId(idOrName) ? ['id', idOrName] : ['name', idOrName];
  const { rows: found } = await trx.raw(
    `select ${KEY_COLUMNS} from api_keys where ${column} = ? ${column === 'name' ? 'and revoked_at is null' : ''}
     order by id for update`,
    [value],
  );
  if (found.length === 0) throw new BadInputError(`no live key has the id or name "${idOrName}"`, 'key');
  const toKey = readModelOf(em, ApiKey);
  const keys = (found as Record<string, unknown>[]).map(toKey);
  const [first] = keys;
  if (first!.revokedAt)
    throw new BadInputError(`key ${first!.id} ("${first!.name}") was already revoked at ${first!.revokedAt}`, 'key');
  return keys;
}

/**
 * Revokes a live key found by id, or every live key of a name (the current
 * one and any rotated key still in its grace period), and appends in the same
 * transaction an `api_key_revoked` ADMIN event per key saying who (`actor`)
 * revoked it. Takes effect on every gateway at once (see ApiKeyVerifier).
 */
export async function revokeApiKey(
  em: EntityManager,
  actor: string,
  idOrName: string,
): Promise<{ key: ApiKey; event: AdminEventRef }[]> {
  return inWriteTransaction(em, async (trx) => {
    const toKey = readModelOf(em, ApiKey);
    const revoked = [];
    for (const { id } of await lockLiveKeys(em, trx, idOrName)) {
      const {
        rows: [row],
      } = await trx.raw(`update api_keys set revoked_at = now() where id = ? returning ${KEY_COLUMNS}`, [id]);
      const key = toKey(row);
      revoked.push({ key, event: await appendAdminEvent(trx, actor, AdminEvent.apiKeyRevoked, keyFacts(key)) });
    }
    return revoked;
  });
}

/**
 * Brings the expiry of a live key (by id), or of every live key of a name,
 * forward to `expiresAt` — a future instant, earlier than the key's own
 * expiry — with an `api_key_expiry_set` ADMIN event per key changed, in one
 * transaction: "this key ends on Friday at 17:00". A key already ending by
 * then is left as it is; if every one is, nothing is written and the request
 * is refused. An expiry is never pushed later: a key that should live longer
 * is a new key.
 */
export async function expireApiKey(
  em: EntityManager,
  actor: string,
  idOrName: string,
  expiresAt: Instant,
): Promise<{ key: ApiKey; event: AdminEventRef }[]> {
  if (millisecondsOf(expiresAt) <= Date.now()) {
    throw new BadInputError('the expiry must be in the future: to end a key now, revoke it', 'at');
  }
  return inWriteTransaction(em, async (trx) => {
    const toKey = readModelOf(em, ApiKey);
    const expired = [];
    for (const { id } of await lockLiveKeys(em, trx, idOrName)) {
      const {
        rows: [row],
      } = await trx.raw(
        `update api_keys set expires_at = ?::timestamptz
          where id = ? and (expires_at is null or expires_at > ?::timestamptz) returning ${KEY_COLUMNS}`,
        [expiresAt, id, expiresAt],
      );
      if (!row) continue;
      const key = toKey(row);
      const event = await appendAdminEvent(trx, actor, AdminEvent.apiKeyExpirySet, {
        ...keyFacts(key),
        expiresAt: key.expiresAt,
      });
      expired.push({ key, event });
    }
    if (expired.length === 0)
      throw new BadInputError(`every live key "${idOrName}" names already ends by ${expiresAt}`, 'at');
    return expired;
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
