import type { EntityManager } from '@mikro-orm/postgresql';
import { BadInputError } from '../base/errors';
import { EDGES, storageOf } from '../lineage/relations';
import { tableOf } from '../lineage/node-types';
import { traceLineage } from '../queries/lineage-trace';
import type { RecordRef } from './record-ref';

/** Levels above a position in the README's provenance query: executions, their decision and payloads, inputs, runs. */
const PROVENANCE_DEPTH = 4;
const MAX_RECORDS = 5000;

const FED = EDGES.find((edge) => edge.kind === 'FED')!;
const DECISION_INPUTS = storageOf(FED).table;

/**
 * Every record of a position's provenance (the README's provenance query):
 * the lineage walked upstream from it — its executions, their broker
 * requests and responses, their decisions, the decisions' input payloads and
 * the runs that fetched them — and each decision input (a FED edge is a row
 * of decision_inputs, a record of its own). Refused when the walk is cut.
 */
export async function provenanceRecords(em: EntityManager, positionId: string): Promise<RecordRef[]> {
  const trace = await traceLineage(
    em,
    { type: 'Position', id: positionId },
    { direction: 'UPSTREAM', depth: PROVENANCE_DEPTH, maxNodes: MAX_RECORDS },
  );
  if (trace.truncatedBy.includes('maxNodes')) {
    throw new BadInputError(`the provenance of position ${positionId} holds more than ${MAX_RECORDS} records`);
  }
  const nodes = trace.nodes.map(({ type, id }) => ({ source: tableOf(type), key: id }));
  const inputs = trace.edges
    .filter((edge) => edge.kind === FED.kind)
    // decision_inputs' record key is `<decision id>:<payload id>` (merkle_leaves.record_key).
    .map((edge) => ({ source: DECISION_INPUTS, key: `${edge.to.id}:${edge.from.id}` }));
  return [...nodes, ...inputs];
}
