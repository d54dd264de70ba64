import pino from 'pino';
import pretty from 'pino-pretty';
import { LOG_LEVELS } from './config';

/**
 * The level asked for, if it is one. The logger exists from the first import,
 * before the configuration is validated: a bad LOG_LEVEL must not throw here
 * (pino would, with a stack) but be reported by `loadConfig`, naming it.
 */
function requestedLevel(): string {
  const level = process.env.LOG_LEVEL?.trim();
  return level && (LOG_LEVELS as readonly string[]).includes(level) ? level : 'info';
}

/**
 * Lines a person reads on a terminal (pino-pretty, synchronously, in this
 * thread), JSON lines for a log shipper everywhere else — the same fields either way.
 */
function destination(): pino.DestinationStream {
  if (!process.stderr.isTTY) return pino.destination({ dest: 2, sync: true });
  return pretty({
    destination: 2,
    sync: true,
    colorize: true,
    ignore: 'pid,hostname,name',
    translateTime: 'SYS:HH:MM:ss',
  });
}

/**
 * The process-wide structured logger. On stderr, which keeps stdout free for
 * command output (reports, CSV) that scripts pipe elsewhere.
 */
export const logger = pino({ name: 'auditgraph', level: requestedLevel() }, destination());
