import type { Command } from 'commander';
import { logger } from '../base/logger';

/** Commands that run until stopped: their log is their output, as a server's is. */
const SERVING = new Set(['serve']);

/**
 * How much a command logs: `--verbose` everything down to debug; a
 * LOG_LEVEL the operator set, that level; otherwise a server logs from info
 * and every other command only warnings and errors, so an ordinary command's
 * terminal holds its answer and nothing else.
 */
export function applyVerbosity(command: Command): void {
  const { verbose } = command.optsWithGlobals<{ verbose?: boolean }>();
  if (verbose) logger.level = 'debug';
  else if (!process.env.LOG_LEVEL?.trim()) logger.level = SERVING.has(command.name()) ? 'info' : 'warn';
}
