import pino from 'pino';
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
 * The process-wide structured logger. JSON lines on stderr keep stdout free
 * for command output (reports, CSV) that scripts pipe elsewhere.
 */
export const logger = pino({ name: 'auditgraph', level: requestedLevel() }, pino.destination({ dest: 2, sync: true }));
