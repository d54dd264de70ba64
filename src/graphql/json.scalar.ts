import { GraphQLError, GraphQLScalarType, Kind, print, type ValueNode } from 'graphql';
import { GraphQLJSON as JSONOfGraphQLScalars, GraphQLJSONObject as JSONObjectOfGraphQLScalars } from 'graphql-scalars';
import { isLosslessNumber } from 'lossless-json';
import { exactNumber } from '../json/exact-json';

// graphql-scalars' JSON and JSONObject, with two changes so a JSON number is
// recorded and matched as written (jsonb keeps it as `numeric`, exactly):
// their parseLiteral reads an INT or FLOAT literal with parseFloat
// (`12345678901234567890` → 12345678901234567000, `1e400` → Infinity, then
// null), and JSONObject's parseValue takes a LosslessNumber (an object) for a
// JSON object. Names, descriptions and serialization stay theirs, so
// schema.graphql is unchanged; a wrapper rather than a scalar of our own so
// their spelling of the type is kept in one place.

type Variables = Record<string, unknown> | null | undefined;

/**
 * A literal's value with every number exact: a JavaScript number where that is exact, else a LosslessNumber of
 * its digits.
 */
function exactLiteral(ast: ValueNode, variables: Variables): unknown {
  switch (ast.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return ast.value;
    case Kind.INT:
    case Kind.FLOAT:
      // GraphQL's number grammar is JSON's, so the literal's text is a JSON number's.
      return exactNumber(ast.value);
    case Kind.OBJECT:
      return objectLiteral(ast, variables);
    case Kind.LIST:
      return ast.values.map((value) => exactLiteral(value, variables));
    case Kind.NULL:
      return null;
    case Kind.VARIABLE:
      return variables ? variables[ast.name.value] : undefined;
    default:
      return undefined;
  }
}

function objectLiteral(ast: ValueNode, variables: Variables): Record<string, unknown> {
  if (ast.kind !== Kind.OBJECT)
    throw new GraphQLError(`JSONObject cannot represent non-object value: ${print(ast)}`, { nodes: ast });
  const value = Object.create(null) as Record<string, unknown>;
  for (const field of ast.fields) value[field.name.value] = exactLiteral(field.value, variables);
  return value;
}

function ensureObject(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || isLosslessNumber(value)) {
    throw new GraphQLError(
      `JSONObject cannot represent non-object value: ${Array.isArray(value) ? 'an array' : String(value).slice(0, 80)}`,
    );
  }
  return value as Record<string, unknown>;
}

/** Any JSON value, numbers exact. */
export const GraphQLJSON = new GraphQLScalarType({ ...JSONOfGraphQLScalars.toConfig(), parseLiteral: exactLiteral });

/** A JSON object, numbers exact. */
export const GraphQLJSONObject = new GraphQLScalarType({
  ...JSONObjectOfGraphQLScalars.toConfig(),
  parseValue: ensureObject,
  parseLiteral: objectLiteral,
});
