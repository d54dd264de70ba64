import { Field, Int, ObjectType } from 'type-graphql';
import type { RecordedAttestation } from '../../attestation/attest-day';
import { checkpointAnswer } from '../proof-answers';
import { CheckpointAnswer } from './proof.types';

@ObjectType({ description: 'A named person certified a UTC day of the record (a day_attested COMPLIANCE event).' })
export class Attestation {
  @Field({ description: 'The day certified, YYYY-MM-DD (UTC).' }) day!: string;
  @Field({ description: 'Who certified it, by name.' }) by!: string;
  @Field(() => String, { nullable: true }) note!: string | null;
  @Field({ description: 'Who asked: the API key ("key <id> <name>") or, from the CLI, its actor ("cli <name>").' })
  caller!: string;
  @Field(() => Int, { description: 'Decisions made that day (the daily summary, every status).' }) decisions!: number;
  @Field(() => Int, { description: 'Executions submitted that day (the daily summary, every status).' })
  executions!: number;
  @Field(() => Int, { description: "Integrity findings over the day's records (the integrity audit)." })
  integrityFindings!: number;
  @Field(() => CheckpointAnswer, { description: 'The newest signed checkpoint, signed after the day ended.' })
  checkpoint!: CheckpointAnswer;
  @Field({ description: 'The day_attested event (an AuditEvent id, for `auditgraph prove`).' }) eventId!: string;
}

/** A recorded attestation as the API and `attest --format json` answer it. */
export const attestationAnswer = (recorded: RecordedAttestation): Attestation => ({
  day: recorded.day,
  by: recorded.by,
  note: recorded.note,
  caller:
    'key' in recorded.caller
      ? `key ${recorded.caller.key.id} ${recorded.caller.key.name}`
      : `cli ${recorded.caller.cli}`,
  ...recorded.counts,
  checkpoint: checkpointAnswer(recorded.checkpoint),
  eventId: recorded.event.id,
});
