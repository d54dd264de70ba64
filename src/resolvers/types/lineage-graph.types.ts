import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { EDGES, type EdgeKind } from '../../lineage/relations';
import { Node } from '../../graphql/node.interface';

export enum LineageDirection {
  UPSTREAM = 'UPSTREAM',
  DOWNSTREAM = 'DOWNSTREAM',
  BOTH = 'BOTH',
}
registerEnumType(LineageDirection, {
  name: 'LineageDirection',
  description:
    'UPSTREAM: what caused the node (provenance). DOWNSTREAM: what it influenced (blast radius). ' +
    'BOTH: each, from the node.',
});

/** The kinds of lineage edge, one per edge of the registry, in its order. */
export const LineageEdgeKind = Object.fromEntries(EDGES.map(({ kind }) => [kind, kind])) as {
  [Kind in EdgeKind]: Kind;
};
export type LineageEdgeKind = EdgeKind;

/** "FETCHED run → payload; …": each edge as it reads, edges that read alike named together. */
const edgeKindDescription = (): string => {
  const entries: { kinds: string[]; reads: string }[] = [];
  for (const { kind, reads } of EDGES) {
    const last = entries.at(-1);
    if (last?.reads === reads) last.kinds.push(kind);
    else entries.push({ kinds: [kind], reads });
  }
  return `${entries.map(({ kinds, reads }) => `${kinds.join('/')} ${reads}`).join('; ')}.`;
};
registerEnumType(LineageEdgeKind, { name: 'LineageEdgeKind', description: edgeKindDescription() });

export enum LineageBound {
  DEPTH = 'DEPTH',
  MAX_NODES = 'MAX_NODES',
}
registerEnumType(LineageBound, { name: 'LineageBound', description: 'The bound that cut a lineage walk short.' });

@ObjectType({ description: 'A directed lineage edge, from upstream to downstream, between two node ids of `nodes`.' })
export class LineageEdge {
  @Field(() => LineageEdgeKind)
  kind!: LineageEdgeKind;

  @Field(() => ID)
  from!: string;

  @Field(() => ID)
  to!: string;
}

@ObjectType({ description: 'The part of the lineage graph reached from `root`.' })
export class LineageGraph {
  @Field(() => Node)
  root!: Node;

  @Field(() => [Node], { description: 'Every node reached, the root first.' })
  nodes!: Node[];

  @Field(() => [LineageEdge])
  edges!: LineageEdge[];

  @Field({ description: 'True when a bound stopped the walk before the graph ended.' })
  truncated!: boolean;

  @Field(() => [LineageBound], { description: 'Which bounds cut the walk.' })
  truncatedBy!: LineageBound[];

  @Field(() => [ID], {
    description: 'Ids of the nodes whose further neighbours were not followed (at most 100 listed).',
  })
  cutAt!: string[];

  @Field(() => Int, { description: 'Number of nodes, for callers that only want the size.' })
  nodeCount!: number;
}
