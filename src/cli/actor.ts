import { userInfo } from 'node:os';
import { Option } from 'commander';
import { checkedActor } from '../base/actor';
import { loadConfig } from '../base/config';
import { OperatorError } from '../base/errors';

/** `--actor <name>`: who runs a command that writes to the record, for `what`. */
export const actorOption = (what: string): Option =>
  new Option('--actor <name>', `who runs it, as ${what} names them (default: AUDITGRAPH_ACTOR, else the OS user)`);

/**
 * Who the record says ran a command: `--actor`, else AUDITGRAPH_ACTOR, else
 * the OS user running it — read when the command runs, not when the CLI
 * starts, so a process with no user name fails only the commands that need one.
 */
export function commandActor(given: string | undefined): string {
  if (given !== undefined) return checkedActor(given, '--actor');
  const configured = loadConfig().actor;
  return configured ?? checkedActor(osUser(), 'the OS user name');
}

/**
 * Who started a long-running process (`serve`), for its record: as
 * commandActor says, else its uid — a container's nameless user still starts.
 */
export function processActor(): string {
  try {
    return commandActor(undefined);
  } catch (error) {
    if (error instanceof OperatorError) return `uid ${process.getuid?.() ?? 'unknown'}`;
    throw error;
  }
}

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    // A container's uid with no passwd entry has no name to give.
    throw new OperatorError('this process has no OS user name: say who runs it with --actor or AUDITGRAPH_ACTOR');
  }
}
