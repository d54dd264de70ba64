import type { Command } from 'commander';
import { attestDay } from '../attestation/attest-day';
import { checkedAttestation } from '../attestation/attestation-input';
import { attestationAnswer } from '../resolvers/types/attestation.types';
import { commandAction } from './command-action';
import { formatOption, print } from './output-format';
import { withOrm } from './with-orm';
import { commandActor } from './actor';

/** `auditgraph attest`: a named person certifies a UTC day, bound to the checkpoint that covers it. */
export function registerAttestCommand(program: Command): void {
  program
    .command('attest')
    .description("certify a UTC day of the record (the compliance officer's daily attestation), as a COMPLIANCE event")
    .requiredOption('--date <day>', 'the day certified, YYYY-MM-DD (UTC); it must be over and checkpointed')
    .requiredOption(
      '--by <name>',
      'who certifies it, by name (the caller — AUDITGRAPH_ACTOR or the OS user — is kept beside it)',
    )
    .option('--note <text>', 'a note kept with the attestation, one line')
    .addOption(formatOption(['table', 'json']))
    .action(
      commandAction(async (options: { date: string; by: string; note?: string; format: 'table' | 'json' }) => {
        const names = { date: '--date', by: '--by', note: '--note' };
        checkedAttestation(options, names); // before the database is opened
        const caller = { cli: commandActor(undefined) };
        const attested = attestationAnswer(await withOrm((orm) => attestDay(orm.em.fork(), options, caller, names)));
        print(options.format, attested, () => ({
          columns: ['day', 'by', 'decisions', 'executions', 'integrity findings', 'checkpoint', 'event'],
          rows: [
            [
              attested.day,
              attested.by,
              attested.decisions,
              attested.executions,
              attested.integrityFindings,
              `${attested.checkpoint.treeSize} @ ${attested.checkpoint.time}`,
              attested.eventId,
            ],
          ],
        }));
      }),
    );
}
