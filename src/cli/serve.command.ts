import type { Command } from 'commander';
import { loadConfig } from '../base/config';
import { serve } from './serve';
import { commandAction } from './command-action';

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('serve GraphQL (embedded PostgreSQL with demo data when DATABASE_URL is unset)')
    .option('--no-migrate', 'refuse to start when migrations are pending instead of applying them')
    .action(
      commandAction(async (options: { migrate: boolean }) => {
        const config = loadConfig();
        await serve(config, { migrate: options.migrate && config.migrateOnStart });
        // Serving ends on SIGINT or SIGTERM, whose handler exits (130, 143): this command never finishes.
        await new Promise<never>(() => undefined);
      }),
    );
}
