import pino from 'pino';

/**
 * The process-wide structured logger. JSON lines on stderr keep stdout free
 * for command output (reports, CSV) that scripts pipe elsewhere.
 */
export const logger = pino(
  { name: 'auditgraph', level: process.env.LOG_LEVEL?.trim() || 'info' },
  pino.destination({ dest: 2, sync: true }),
);
