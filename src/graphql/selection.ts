import {
  type FieldNode,
  getArgumentValues,
  type GraphQLObjectType,
  type GraphQLResolveInfo,
  Kind,
  type SelectionSetNode,
} from 'graphql';

/**
 * The fields an operation selects on one object, by name (every alias's node),
 * through inline fragments and named fragments alike. Directives are not
 * evaluated: a field under `@skip` counts as selected, which only means a
 * prefetch may read a little more than is sent.
 */
export function selectedFields(
  info: GraphQLResolveInfo,
  sets: readonly (SelectionSetNode | undefined)[],
): Map<string, FieldNode[]> {
  const fields = new Map<string, FieldNode[]>();
  const visited = new Set<string>();
  const walk = (set: SelectionSetNode | undefined) => {
    for (const selection of set?.selections ?? []) {
      if (selection.kind === Kind.FIELD) {
        const named = fields.get(selection.name.value);
        if (named) named.push(selection);
        else fields.set(selection.name.value, [selection]);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        walk(selection.selectionSet);
      } else if (!visited.has(selection.name.value)) {
        visited.add(selection.name.value);
        walk(info.fragments[selection.name.value]?.selectionSet);
      }
    }
  };
  for (const set of sets) walk(set);
  return fields;
}

/** The selections made on the nodes of a connection field, whether asked as `nodes { … }` or `edges { node { … } }`. */
export function connectionNodeSelections(
  info: GraphQLResolveInfo,
  connection: FieldNode,
): (SelectionSetNode | undefined)[] {
  const page = selectedFields(info, [connection.selectionSet]);
  const edges = selectedFields(
    info,
    (page.get('edges') ?? []).map((edge) => edge.selectionSet),
  );
  return [...(page.get('nodes') ?? []), ...(edges.get('node') ?? [])].map((node) => node.selectionSet);
}

/**
 * The argument values of `field` on `typeName` as this operation passes them (variables substituted, defaults
 * applied).
 */
export function argumentsOf<T>(info: GraphQLResolveInfo, typeName: string, field: FieldNode): T {
  const definition = (info.schema.getType(typeName) as GraphQLObjectType).getFields()[field.name.value]!;
  return getArgumentValues(definition, field, info.variableValues) as T;
}
