import { loadInvestigations } from '../../src/server/playground/investigations';

/** A saved investigation's query, by its playground tab title: tests run the same text users see. */
export function investigationQuery(title: string): string {
  const found = loadInvestigations().find((investigation) => investigation.title === title);
  if (!found) throw new Error(`no saved investigation titled "${title}" in examples/investigations.graphql`);
  return found.query;
}

/**
 * The "Trace a position" walk asked through `node(id:)`, which the provenance
 * prefetch does not serve: the same selection, read level by level by the loaders.
 */
export function provenanceThroughNode(): string {
  return investigationQuery('Trace a position')
    .replace('position(id: $positionId) {', 'node(id: $positionId) { ... on Position {')
    .replace(/\}\s*$/, '} }');
}
