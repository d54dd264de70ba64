import { type Command, Option } from 'commander';
import { BadInputError } from '../base/errors';
import { tableText } from '../reports/report-catalog';
import { checkedReason, checkedScope, type HoldScopeInput } from '../retention/legal-hold-input';
import { listLegalHolds } from '../retention/legal-hold-list';
import { placeLegalHold, releaseLegalHold } from '../retention/legal-hold-writes';
import { actorOption, commandActor } from './actor';
import { commandAction } from './command-action';
import { formatOption, printJson } from './output-format';
import { withOrm } from './with-orm';

type PlaceOptions = {
  symbol?: string;
  account?: string;
  strategy?: string;
  from?: string;
  to?: string;
  reason: string;
  actor?: string;
  format: 'text' | 'json';
};

/** Exactly one scope: one of --symbol, --account, --strategy, or --from with --to. */
function scopeOf(options: PlaceOptions): HoldScopeInput {
  const named = (['symbol', 'account', 'strategy'] as const).filter((kind) => options[kind] !== undefined);
  const period = options.from !== undefined || options.to !== undefined;
  if (named.length + (period ? 1 : 0) !== 1)
    throw new BadInputError(
      'say what the hold keeps: exactly one of --symbol, --account, --strategy, or --from and --to',
    );
  if (period) {
    if (options.from === undefined || options.to === undefined)
      throw new BadInputError('a period hold needs both --from and --to (UTC days, YYYY-MM-DD, both included)');
    return { kind: 'period', from: options.from, to: options.to };
  }
  const kind = named[0]!;
  return { kind, name: options[kind]! };
}

const scopeText = (hold: {
  symbol: string | null;
  account: string | null;
  strategy: string | null;
  from: string | null;
  to: string | null;
}) =>
  hold.symbol !== null
    ? `symbol ${hold.symbol}`
    : hold.account !== null
      ? `account ${hold.account}`
      : hold.strategy !== null
        ? `strategy ${hold.strategy}`
        : `period ${hold.from} – ${hold.to}`;

/** Legal holds: placed and released as appended records with their COMPLIANCE events; the purge keeps what they hold. */
export function registerHoldCommands(program: Command): void {
  const hold = program.command('hold').description('legal holds: records under a hold are never purged');

  hold
    .command('place')
    .description('place a legal hold on a symbol, an account, a strategy or a period of UTC days')
    .option('--symbol <symbol>', 'hold every record of this symbol (decisions and positions)')
    .option('--account <account>', 'hold every record of this account (its positions, their trades)')
    .option('--strategy <strategy>', "hold every record of this strategy's decisions")
    .option('--from <day>', 'with --to: hold what was created on these UTC days, YYYY-MM-DD, both included')
    .option('--to <day>', 'the last UTC day of the period, included')
    .requiredOption('--reason <text>', 'why: one line, 1–2000 characters (a matter number, a request)')
    .addOption(actorOption('the legal_hold_placed event'))
    .addOption(formatOption(['text', 'json']))
    .action(
      commandAction(async (options: PlaceOptions) => {
        const scope = scopeOf(options);
        // Refused before any database is opened (placeLegalHold checks the same for its other callers).
        checkedScope(scope);
        checkedReason(options.reason);
        const actor = commandActor(options.actor);
        const placed = await withOrm((orm) => placeLegalHold(orm.em.fork(), { scope, reason: options.reason, actor }));
        if (options.format === 'json') printJson(placed);
        else
          process.stdout.write(
            `placed legal hold ${placed.id} on ${scopeText(placed.scope)}; recorded as event #${placed.eventSeq}\n`,
          );
      }),
    );

  hold
    .command('release')
    .description('release a legal hold: an appended release, the hold itself stays on the record')
    .argument('<id>', 'the hold, as hold list shows it')
    .requiredOption('--reason <text>', 'why: one line, 1–2000 characters')
    .addOption(actorOption('the legal_hold_released event'))
    .addOption(formatOption(['text', 'json']))
    .action(
      commandAction(async (id: string, options: { reason: string; actor?: string; format: 'text' | 'json' }) => {
        checkedReason(options.reason);
        const actor = commandActor(options.actor);
        const released = await withOrm((orm) => releaseLegalHold(orm.em.fork(), { id, reason: options.reason, actor }));
        if (options.format === 'json') printJson(released);
        else process.stdout.write(`released legal hold ${released.id}; recorded as event #${released.eventSeq}\n`);
      }),
    );

  hold
    .command('list')
    .description('the active legal holds, oldest first')
    .addOption(new Option('--all', 'released holds too'))
    .addOption(formatOption(['text', 'json']))
    .action(
      commandAction(async (options: { all?: boolean; format: 'text' | 'json' }) => {
        const holds = await withOrm((orm) => listLegalHolds(orm.em.fork(), { all: Boolean(options.all) }));
        if (options.format === 'json') {
          printJson(holds);
          return;
        }
        process.stdout.write(
          tableText({
            columns: ['id', 'scope', 'reason', 'placed by', 'placed at', 'released'],
            rows: holds.map((row) => [
              row.id,
              scopeText(row),
              row.reason,
              row.placedBy,
              row.placedAt,
              row.releasedAt === null ? '' : `${row.releasedAt} by ${row.releasedBy}: ${row.releaseReason}`,
            ]),
          }),
        );
      }),
    );
}
