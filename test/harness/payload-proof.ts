import { canonicalBytes } from '../../src/integrator/canonical-json';
import { leafSourceOf, type SourceRow } from '../../src/integrator/leaf-sources';
import { pgHashStore } from '../../src/integrator/pg-hash-store';
import { inclusionProof } from '../../src/merkle/proofs';
import { leafHash } from '../../src/merkle/tree-hash';
import { verifyInclusion } from '../../src/verifier/merkle-proofs';
import { withClient } from './database';

/**
 * A payload's leaf proves: its record, made from the row as the integrator
 * makes it (a purged body's from its tombstone's hash), leads by its
 * inclusion proof to the tree's root. Throws when it does not; returns the
 * record for the caller's own checks.
 */
export async function expectPayloadLeafProves(databaseUrl: string, payloadId: string) {
  return withClient(databaseUrl, async (client) => {
    const source = leafSourceOf('api_payloads')!;
    const { rows } = await client.query<SourceRow>(source.select(source.keyCondition), [[payloadId]]);
    const record = source.record(rows[0]!);
    const {
      rows: [leaf],
    } = await client.query(
      `select leaf_index::int as index, (select tree_size::int from merkle_integration) as size,
              (select root from merkle_integration) as root
         from merkle_leaves where source = 'api_payloads' and record_key = $1`,
      [payloadId],
    );
    const proof = await inclusionProof(pgHashStore(client), leaf.index, leaf.size);
    verifyInclusion(BigInt(leaf.index), BigInt(leaf.size), leafHash(canonicalBytes(record)), proof, leaf.root);
    return record;
  });
}
