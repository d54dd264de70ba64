import { readFileSync } from 'node:fs';
import { buildSchema, findBreakingChanges, findDangerousChanges } from 'graphql';
import { gatewaySchema, printGatewaySchema } from '../src/graphql/schema';

describe('schema.graphql', () => {
  it('is exactly what the code emits (run `npm run schema` after changing the API)', async () => {
    const committed = readFileSync(`${__dirname}/../schema.graphql`, 'utf8');
    expect(committed).toBe(await printGatewaySchema());
  });

  it('describes the same API as the executable schema', async () => {
    const committed = buildSchema(readFileSync(`${__dirname}/../schema.graphql`, 'utf8'));
    const live = await gatewaySchema();
    expect(findBreakingChanges(committed, live)).toEqual([]);
    expect(findDangerousChanges(committed, live)).toEqual([]);
  });
});
