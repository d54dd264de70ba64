import { Field, ID, InterfaceType } from 'type-graphql';

/** The Relay Node interface: every lineage record, fetchable by its global id through `node(id:)`. */
@InterfaceType({
  description: 'A record of the lineage graph with an opaque global id.',
  // Entity class names are the GraphQL type names.
  resolveType: (value: object) => value.constructor.name,
})
export abstract class Node {
  // Read from `nodeId`: the entities' own `id` property is the row id.
  @Field(() => ID, { name: 'id', description: "Opaque global id; pass it to node(id:) or to this type's own lookup." })
  nodeId!: string;

  @Field({ description: 'The row id in PostgreSQL, for SQL and scripts.' })
  databaseId!: string;
}
