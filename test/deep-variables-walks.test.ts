import { MAX_VARIABLES_DEPTH, nestsDeeperThan } from '../src/json/variables-depth';
import { TOO_DEEP_TO_RECORD, variablesForTheRecord } from '../src/query-audit/redact';
import { startTestGateway, type TestGateway } from './harness/gateway';

/**
 * `depth` nested arrays around a string with a lone surrogate, built from text (a recursive builder
 * would overflow first).
 */
const deepVariable = (depth: number): unknown => JSON.parse(`${'['.repeat(depth)}"a\\ud800b"${']'.repeat(depth)}`);

/**
 * No walk over a client's variables may depend on the HTTP depth check
 * having run first (a GET skipped it, and the recursive NUL/surrogate check
 * overflowed the stack at 5,000 levels): each one survives any depth JSON
 * can carry, in-process, where nothing limited the depth before it.
 */
describe('walks over variables at any depth and width', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(() => gateway.close());

  it.each([5_000, 100_000])(
    'refuses a lone surrogate %d levels down as BAD_USER_INPUT, not a stack overflow',
    async (depth) => {
      const result = await gateway.execute('query($v: String!) { search(query: $v) { edges { cursor } } }', {
        v: 'x',
        deep: deepVariable(depth),
      });
      expect(result.errors?.map((error) => error.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    },
  );

  it(
    'refuses a lone surrogate at the end of an array of ' + '500,000 items (what a 1 MB body holds) as BAD_USER_INPUT',
    async () => {
      const result = await gateway.execute('query($v: String!) { search(query: $v) { edges { cursor } } }', {
        v: 'x',
        wide: [...new Array<number>(500_000).fill(1), 'a\ud800b'],
      });
      expect(result.errors?.map((error) => error.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    },
  );

  it('measures and records 100,000 levels without recursing past the limit', () => {
    const deep = deepVariable(100_000);
    expect(nestsDeeperThan(deep, MAX_VARIABLES_DEPTH)).toBe(true);
    expect(JSON.stringify(variablesForTheRecord({ deep }, new Set()))).toContain(TOO_DEEP_TO_RECORD);
  });
});
