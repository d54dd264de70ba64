import { type Command, Option } from 'commander';
import { createApiKey, listApiKeys, revokeApiKey } from '../auth/api-keys';
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

export function registerKeyCommands(program: Command): void {
  const keys = program
    .command('keys')
    .description('API keys: create, list, revoke; each change an ADMIN event of the record');

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
          columns: ['id', 'name', 'role', 'prefix', 'created', 'expires', 'revoked', 'last used'],
          rows: listing.map((key) => [
            key.id,
            key.name,
            key.role,
            `${key.prefix}…`,
            time(key.createdAt),
            time(key.expiresAt),
            time(key.revokedAt),
            time(key.lastUsedAt),
          ]),
        }));
      }),
    );

  keys
    .command('revoke')
    .description('revoke a live key by id or name; running gateways refuse it at once')
    .argument('<key>', 'the key id or name')
    .addOption(actorOption('the api_key_revoked event'))
    .action(
      commandAction(async (idOrName: string, options: { actor?: string }) => {
        const actor = commandActor(options.actor);
        const { key, event } = await withOrm((orm) => revokeApiKey(orm.em.fork(), actor, idOrName));
        console.log(
          `revoked key ${key.id} "${key.name}" (${key.role}) at ${key.revokedAt!}, recorded as event ${event.id}`,
        );
      }),
    );
}
