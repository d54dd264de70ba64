#!/usr/bin/env node
import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { loadConfig } from './base/config';
import { installationPath } from './base/installation-path';
import { registerArchiveCommands } from './cli/archive.commands';
import { registerAttestCommand } from './cli/attest.command';
import { registerChainCommands } from './cli/chain.commands';
import { runProgram } from './cli/command-action';
import { registerDatabaseCommands } from './cli/database.commands';
import { registerHoldCommands } from './cli/hold.commands';
import { registerImportCommand } from './cli/import.command';
import { registerIntegrateCommand } from './cli/integrate.command';
import { registerKeyCommands } from './cli/key.commands';
import { registerPackageCommand } from './cli/package.command';
import { registerProofCommands } from './cli/proof.commands';
import { registerReportCommands } from './cli/report.commands';
import { registerRestoreCommands } from './cli/restore.commands';
import { registerRetentionCommands } from './cli/retention.commands';
import { registerSchemaCommand } from './cli/schema.command';
import { registerServeCommand } from './cli/serve.command';
import { registerVerifyBundleCommand } from './cli/verify-bundle.command';
import { applyVerbosity } from './cli/verbosity';

/** The installed package's version, with the Node.js running it (which `engines` in package.json bounds). */
function installedVersion(): string {
  const { version } = JSON.parse(readFileSync(installationPath('package.json'), 'utf8')) as { version: string };
  return `auditgraph ${version} (Node.js ${process.version})`;
}

const program = new Command('auditgraph')
  .description("GraphQL audit query gateway: a trade's full provenance in one query")
  .version(installedVersion(), '-V, --version', 'print the version of auditgraph and of Node.js')
  .option('--verbose', 'log what the command does (debug level) on stderr; otherwise only warnings and errors')
  .exitOverride()
  .showHelpAfterError();

// In this order in the help.
registerServeCommand(program);
registerDatabaseCommands(program);
registerReportCommands(program);
registerChainCommands(program);
registerProofCommands(program);
registerVerifyBundleCommand(program);
registerPackageCommand(program);
registerImportCommand(program);
registerIntegrateCommand(program);
registerRetentionCommands(program);
registerHoldCommands(program);
registerRestoreCommands(program);
registerArchiveCommands(program);
registerKeyCommands(program);
registerAttestCommand(program);
registerSchemaCommand(program);

// Every command, whether or not it opens the database, runs only on a valid
// configuration: a bad LOG_LEVEL is one line and exit 2 even for `schema`.
program.hook('preAction', (_program, command) => {
  loadConfig();
  applyVerbosity(command);
});

runProgram(program, process.argv);
