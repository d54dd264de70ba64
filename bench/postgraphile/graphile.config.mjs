// PostGraphile v5 over the benchmark database, as a team would point it at
// the same tables: the Amber preset plus the connection-filter plugin (for
// W2's JSONB containment). Run by bench/gateway.bench.ts with the Node 22
// binary of the `node` devDependency: PostGraphile 5.1 needs Node 22.
import { makePgService } from 'postgraphile/adaptors/pg';
import { PostGraphileAmberPreset } from 'postgraphile/presets/amber';
import { PostGraphileConnectionFilterPreset } from 'postgraphile-plugin-connection-filter';

export default {
  extends: [PostGraphileAmberPreset, PostGraphileConnectionFilterPreset],
  pgServices: [
    makePgService({
      connectionString: process.env.DATABASE_URL,
      schemas: ['public'],
      poolConfig: { max: Number(process.env.POOL_MAX ?? 10) },
    }),
  ],
  grafserv: { port: Number(process.env.PORT), host: '127.0.0.1', graphqlPath: '/graphql', graphiql: false },
  grafast: { explain: false },
  schema: { exportSchemaSDLPath: process.env.POSTGRAPHILE_SDL || undefined, defaultBehavior: '+attribute:filterBy' },
};
