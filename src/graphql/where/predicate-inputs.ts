import { Field, InputType } from 'type-graphql';
import type { Duration } from '../../time/duration';
import type { Instant } from '../../time/instant';
import { DateTime } from '../date-time.scalar';
import { DurationScalar } from '../duration.scalar';

/** The longest text a full-text `matches` (and search's `query`) takes: a question, not a document. */
export const MAX_SEARCH_TEXT_LENGTH = 500;

@InputType({ description: 'A full-text condition on a text, as `search` matches it.' })
export class TextSearch {
  @Field(() => String, {
    description:
      'Plain text as a search box takes it — words, "quoted phrases", -excluded, or — matched as search() matches ' +
      `(English stemming: "rejected" finds "rejection"); 1 to ${MAX_SEARCH_TEXT_LENGTH} characters.`,
  })
  matches!: string;
}

@InputType({
  description:
    'Still pending — written with the first status of its lifecycle (a decision pending, an execution submitted) ' +
    'and never changed since — and made before a point in time: ' +
    'give exactly one of `olderThan` (a duration before now) or `createdBefore` (an instant).',
})
export class StalePending {
  @Field(() => DurationScalar, {
    nullable: true,
    description: 'Made more than this long ago, e.g. "P7D" (the integrity audit\'s week) or "PT1H".',
  })
  olderThan?: Duration | null;

  @Field(() => DateTime, { nullable: true, description: 'Made before this instant.' })
  createdBefore?: Instant | null;
}
