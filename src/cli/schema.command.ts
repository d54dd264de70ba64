import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { printGatewaySchema } from '../server/schema';
import { commandAction } from './command-action';
import { EXIT_DONE, EXIT_FOUND } from './exit-codes';

export function registerSchemaCommand(program: Command): void {
  program
    .command('schema')
    .description('write schema.graphql from the code (or check that it is current)')
    .option('--output <file>', 'where to write', 'schema.graphql')
    .option('--check', 'exit 1 when the file differs from the code instead of writing it')
    .action(
      commandAction(async (options: { output: string; check?: boolean }) => {
        const sdl = await printGatewaySchema();
        if (!options.check) {
          await writeFile(options.output, sdl);
          console.log(`wrote ${options.output}`);
          return EXIT_DONE;
        }
        const current = await readFile(options.output, 'utf8').catch(() => '');
        if (current === sdl) return EXIT_DONE;
        console.error(`${options.output} is out of date: run \`npm run schema\``);
        return EXIT_FOUND;
      }),
    );
}
