import { type Command, Option } from 'commander';
import { createApiKey, expireApiKey, listApiKeys, revokeApiKey, rotateApiKey } from '../auth/api-keys';
import { BadInputError } from '../base/errors';
import { DurationError, durationMilliseconds } from '../time/duration';
import { type Role, ROLES } from '../auth/roles';
import { type Instant, instantOf } from '../time/instant';
import { instant } from './arguments';
import { commandAction } from './command-action';
import { formatOption, print } from './output-format';
import { withOrm } from './with-orm';
import { actorOption, commandActor } from './actor';

/** `--expires`: an ISO date or timestamp, or a number of days from now (`90d`). */
function expiry(raw: string): Instant {
  const days = /^(\d{1,5})d$/.exec(raw.trim());
  return days ? instantOf(new Date(Date.now() + Number(days[1]) * 86_400_000)) : instant(raw);
}

const time = (value: Instant | null | undefined) => value ?? '';

/** `--grace`: an ISO 8601 duration (PT24H, P7D, PT0S). */
function grace(raw: string): number {
  try {
    return durationMilliseconds(raw.trim());
  } catch (error) {
    if (error instanceof DurationError) throw new BadInputError(`--grace ${error.message}`, 'grace');
    throw error;
  }
}

/** How long a rotated key keeps working by default: a day, for every client to take the new secret. */
const DEFAULT_GRACE = 'PT24H';

export function registerKeyCommands(program: Command): void {
  const keys = program
    .command('keys')
    .description('API keys: create, list, rotate, expire, revoke; each change an ADMIN event of the record');

  keys
    .command('create')
    .description('issue a key; its secret is printed once, alone on stdout (details on stderr)')
    .requiredOption('--name <name>', 'who or what the key is for, unique among live keys')
    .addOption(new Option('--role <role>', 'what it may do').choices(ROLES).makeOptionMandatory())
    .addOption(
      new Option('--expires <when>', 'expiry: an ISO date or timestamp, or days from now (e.g. 90d)').argParser(expiry),
    )
    .addOption(actorOption('the api_key_created event'))
    .action(
      commandAction(async (options: { name: string; role: Role; expires?: Instant; actor?: string }) => {
        const actor = commandActor(options.actor);
        const { key, secret, event } = await withOrm((orm) =>
          createApiKey(orm.em.fork(), actor, { name: options.name, role: options.role, expiresAt: options.expires }),
        );
        const expires = key.expiresAt ? `, expires ${key.expiresAt}` : ', no expiry';
        console.error(
          `created key ${key.id} "${key.name}" (${key.role}${expires}), recorded as event ${event.id}. ` +
            'Store the secret now: it is not shown again. Send it as `Authorization: Bearer <secret>`.',
        );
        process.stdout.write(`${secret}\n`);
      }),
    );

  keys
    .command('list')
    .description('every key, newest first, with when it was last used; never secrets')
    .addOption(formatOption(['table', 'json']))
    .action(
      commandAction(async (options: { format: 'table' | 'json' }) => {
        const listing = await withOrm((orm) => listApiKeys(orm.em.fork()));
        print(options.format, listing, () => ({
          columns: ['id', 'name', 'role', 'prefix', 'created', 'expires', 'revoked', 'replaced by', 'last used'],
          rows: listing.map((key) => [
            key.id,
            key.name,
            key.role,
            `${key.prefix}…`,
            time(key.createdAt),
            time(key.expiresAt),
            time(key.revokedAt),
            key.replacedBy ?? '',
            time(key.lastUsedAt),
          ]),
        }));
      }),
    );

  keys
    .command('rotate')
    .description('issue a new secret for a key name; the old one keeps working for the grace period, then ends')
    .argument('<name>', 'the name of the current key')
    .addOption(
      new Option('--grace <duration>', 'how long the old secret still works: an ISO 8601 duration, e.g. PT1H, P7D')
        .argParser(grace)
        .default(grace(DEFAULT_GRACE), DEFAULT_GRACE),
    )
    .addOption(actorOption('the api_key_rotated event'))
    .action(
      commandAction(async (name: string, options: { grace: number; actor?: string }) => {
        const actor = commandActor(options.actor);
        const { issued, old, event } = await withOrm((orm) => rotateApiKey(orm.em.fork(), actor, name, options.grace));
        console.error(
          `rotated "${old.name}": key ${old.id} ends at ${old.expiresAt!} (event ${event.id}); ` +
            `its successor is key ${issued.key.id} (event ${issued.event.id}). ` +
            'Store the new secret now: it is not shown again.',
        );
        process.stdout.write(`${issued.secret}\n`);
      }),
    );

  keys
    .command('expire')
    .description("bring a key's expiry forward, by id or for every live key of a name; never later")
    .argument('<key>', 'the key id or name')
    .addOption(
      new Option('--at <when>', 'when it ends: an ISO date or timestamp, or days from now (e.g. 7d)')
        .argParser(expiry)
        .makeOptionMandatory(),
    )
    .addOption(actorOption('the api_key_expiry_set event'))
    .action(
      commandAction(async (idOrName: string, options: { at: Instant; actor?: string }) => {
        const actor = commandActor(options.actor);
        const expired = await withOrm((orm) => expireApiKey(orm.em.fork(), actor, idOrName, options.at));
        for (const { key, event } of expired)
          console.log(
            `key ${key.id} "${key.name}" (${key.role}) now ends at ${key.expiresAt!}, recorded as event ${event.id}`,
          );
      }),
    );

  keys
    .command('revoke')
    .description('revoke a key by id, or every live key of a name (a rotated one too); gateways refuse them at once')
    .argument('<key>', 'the key id or name')
    .addOption(actorOption('the api_key_revoked event'))
    .action(
      commandAction(async (idOrName: string, options: { actor?: string }) => {
        const actor = commandActor(options.actor);
        const revoked = await withOrm((orm) => revokeApiKey(orm.em.fork(), actor, idOrName));
        for (const { key, event } of revoked)
          console.log(
            `revoked key ${key.id} "${key.name}" (${key.role}) at ${key.revokedAt!}, recorded as event ${event.id}`,
          );
      }),
    );
}
