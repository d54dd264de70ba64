import { GraphQLSafeInt } from 'graphql-scalars';

/**
 * Tree sizes and leaf indexes: integers JavaScript holds exactly (to
 * 2^53 − 1), past GraphQL's 32-bit Int — a tree outgrows 2^31 leaves long
 * before 2^53. graphql-scalars' SafeInt refuses anything larger, a fraction
 * or a string, as an input error.
 */
export const SafeInt = GraphQLSafeInt;
