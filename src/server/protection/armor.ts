import { ApolloArmor } from '@escape.tech/graphql-armor';
import { hideSchemaHintsPlugin } from './hide-schema-hints.plugin';

/** Enough for every saved investigation sent at once; a 10 MB query stops here, in the lexer. */
export const MAX_DOCUMENT_TOKENS = 5_000;

export type DocumentLimits = { maxDepth: number; introspection: boolean };

/**
 * Limits on the shape of a document, checked before it runs (graphql-armor):
 * depth, aliases (alias bombs), directives, and no "did you mean" suggestions
 * once introspection is off, which would otherwise leak the schema field by
 * field (ours: armor's own leaves enum values and variable errors, and
 * rewrites the hint to "[Suggestion hidden]?"). Tokens are limited by graphql-js's own parser (MAX_DOCUMENT_TOKENS):
 * armor's token plugin turns every syntax error into a 500. The cost limit is
 * ours (query-cost.ts): it scales by page sizes, armor's does not.
 */
export function documentLimits({ maxDepth, introspection }: DocumentLimits) {
  const armor = new ApolloArmor({
    maxDepth: { n: maxDepth, ignoreIntrospection: true, flattenFragments: true },
    maxAliases: { n: 30 },
    maxDirectives: { n: 20 },
    maxTokens: { enabled: false },
    blockFieldSuggestion: { enabled: false },
    costLimit: { enabled: false },
  }).protect();
  return { ...armor, plugins: [...armor.plugins, ...(introspection ? [] : [hideSchemaHintsPlugin()])] };
}
