import { readFileSync } from 'node:fs';
import { buildSchema, findBreakingChanges, findDangerousChanges, parse, validate } from 'graphql';
import { gatewaySchema, printGatewaySchema } from '../src/server/schema';
import { loadInvestigations } from '../src/server/playground/investigations';
import { investigationQuery } from './harness/investigations';

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

describe('the queries shown in README.md', () => {
  const readme = readFileSync(`${__dirname}/../README.md`, 'utf8');
  const blocks = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((match) => match[1]!);

  it('include every saved investigation verbatim (tests run them)', () => {
    for (const { title } of loadInvestigations()) {
      const query = investigationQuery(title).replace(/^(#.*\n)+/, '');
      expect(blocks.some((block) => block.includes(query))).toBe(true);
    }
  });

  it('are all valid against the schema', async () => {
    const schema = await gatewaySchema();
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    for (const block of blocks) {
      // Each block may hold several operations separated by comments.
      const operations = block.split(/\n(?=# )/).filter((part) => /[{]/.test(part));
      for (const operation of operations) expect(validate(schema, parse(operation)).map(String)).toEqual([]);
    }
  });
});
