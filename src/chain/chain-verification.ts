import { Field, Int, ObjectType } from 'type-graphql';
import type { SubjectTable } from '../entities/audit-event.entity';

/** What a break is about: each check of `verify` names its own. */
export type BreakKind = 'chain' | 'record' | 'leaf' | 'tree' | 'checkpoint' | 'integration' | 'projection';

@ObjectType({ description: 'One place where the record no longer matches what was written.' })
export class ChainBreak {
  @Field(() => String, {
    description:
      'chain (the legacy chain of events), record (a row changed, gone or not in the tree), leaf (a Merkle leaf ' +
      'missing or out of place), tree (a stored node or root that the leaves do not make), checkpoint (a signed ' +
      'checkpoint the tree is not consistent with: truncated, rewritten or forked, or badly signed), ' +
      'integration (a record committed and still not in the tree past the bound), or projection (a full run: ' +
      "a record's status in current_statuses, which status filters read, is not what its events say).",
  })
  kind!: BreakKind;

  @Field(() => String, {
    nullable: true,
    description: 'The event concerned: the broken one, or the one that recorded the row.',
  })
  seq!: string | null;

  @Field(() => String, { nullable: true, description: 'The table of the row concerned.' })
  table!: SubjectTable | string | null;

  @Field(() => String, {
    nullable: true,
    description: "The row's key: its id (decision_inputs: `<decision id>:<payload id>`; legacy: the decision's id).",
  })
  recordId!: string | null;

  @Field(() => String, { nullable: true, description: 'The Merkle leaf concerned, by index, when there is one.' })
  leafIndex!: string | null;

  @Field({ description: 'What is wrong, in words.' })
  problem!: string;
}

@ObjectType({ description: 'The result of verifying the record: the legacy chain, the Merkle tree, its checkpoints.' })
export class ChainVerification {
  @Field({ description: 'True when every check passed.' })
  intact!: boolean;

  @Field({ description: 'True for a full run: every record re-encoded, every stored node recomputed.' })
  full!: boolean;

  @Field(() => String, { description: 'Events in the legacy chain (those written with a chain hash).' })
  events!: string;

  @Field(() => String, {
    description: 'Legacy lineage records (written before the Merkle tree) checked against the hashes written for them.',
  })
  records!: string;

  @Field(() => String, { description: 'Leaves in the Merkle tree verified (merkle_integration).' })
  treeSize!: string;

  @Field(() => String, { description: 'The root of that tree (base64), as the stored nodes make it.' })
  rootHash!: string;

  @Field(() => Int, {
    description: 'Signed checkpoints the tree was proved consistent with (merkle_checkpoints and witness folders).',
  })
  checkpoints!: number;

  @Field(() => String, { description: 'Leaves whose record was re-encoded and re-hashed in this run.' })
  leavesRehashed!: string;

  @Field(() => String, { description: 'Stored nodes recomputed from the leaves (a full run; 0 otherwise).' })
  nodesRecomputed!: string;

  @Field(() => ChainBreak, {
    nullable: true,
    description: 'The first break: legacy chain first, then checkpoints, the tree, leaves, records, integration.',
  })
  firstBreak!: ChainBreak | null;

  @Field(() => [ChainBreak], { description: 'Every break found, up to `limit`.' })
  breaks!: ChainBreak[];

  @Field(() => Int, { description: 'How long the verification took.' })
  durationMs!: number;
}

/** A break as the checks make it: the fields they leave out are null. */
export type BreakInput = Pick<ChainBreak, 'kind' | 'problem'> & Partial<Omit<ChainBreak, 'kind' | 'problem'>>;

/**
 * The breaks of one run, in the order the checks add them, keeping at most
 * `limit` (a check stops looking once `full`) while counting every one.
 */
export class Findings {
  readonly listed: ChainBreak[] = [];
  count = 0;

  constructor(readonly limit: number) {}

  get full(): boolean {
    return this.listed.length >= this.limit;
  }

  add(found: BreakInput): void {
    this.count += 1;
    if (this.full) return;
    this.listed.push({ seq: null, table: null, recordId: null, leafIndex: null, ...found });
  }
}
