import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { parse, validate } from 'graphql';
import { openPlayground } from '../scripts/playground-browser';
import { loadConfig } from '../src/base/config';
import { gatewaySchema } from '../src/server/schema';
import { type RunningGateway, startHttpServer } from '../src/server/http-server';
import { loadInvestigations, parseInvestigations } from '../src/server/playground/investigations';
import { DEMO_SEED, seedDatabase } from '../src/seed/seed-database';
import { graphql } from './harness/cli';
import { startTestGateway, type TestGateway } from './harness/gateway';

const screenshot = path.join(__dirname, 'artifacts', 'playground.png');
const investigations = loadInvestigations();

describe('saved investigations (examples/investigations.graphql)', () => {
  it('validates every operation against the schema', async () => {
    const schema = await gatewaySchema();
    for (const { title, query } of investigations) {
      expect({ title, errors: validate(schema, parse(query)).map((error) => error.message) }).toEqual({
        title,
        errors: [],
      });
    }
  });

  it('is itself one valid document, so a client can send the file with an operationName (README curl)', async () => {
    const schema = await gatewaySchema();
    const file = readFileSync(path.join(__dirname, '..', 'examples', 'investigations.graphql'), 'utf8');
    expect(validate(schema, parse(file)).map((error) => error.message)).toEqual([]);
  });

  it.each([
    ['no tab at all', 'query A { positions { totalCount } }', /content before the first `# Tab: <title>`/],
    ['an empty file', '# only a comment\n', /no `# Tab: <title>` line/],
    ['a title missing', '# Tab:\nquery A { x }', /:1: `# Tab:` needs a title/],
    [
      'variables that are not JSON',
      '# Tab: A\n# Variables: {positionId: 1}\nquery A { x }',
      /:2: `# Variables:` is not valid JSON/,
    ],
    ['variables that are not an object', '# Tab: A\n# Variables: [1]\nquery A { x }', /must be a JSON object/],
    ['an undeclared variable', '# Tab: A\n# Variables: {"id":"1"}\nquery A { x }', /variable "id" is not declared/],
    [
      'a required variable without a value',
      '# Tab: A\n# Variables: {"other":"1"}\nquery A($id: ID!, $other: ID) { x }',
      /:1: tab "A": the operation requires \$id/,
    ],
    ['no operation', '# Tab: A\n\n# Tab: B\nquery B { x }', /tab "A": no operation/],
    ['invalid GraphQL', '# Tab: A\nquery A { x', /tab "A": not valid GraphQL/],
    ['two operations in one tab', '# Tab: A\nquery A { x }\nquery B { y }', /expected exactly one operation/],
    ['an anonymous operation', '# Tab: A\n{ x }', /needs a name/],
    ['a duplicate title', '# Tab: A\nquery A { x }\n# Tab: A\nquery B { x }', /two tabs share the title "A"/],
  ])('refuses a file with %s', (_case, text, message) => {
    expect(() => parseInvestigations(text, 'bad.graphql')).toThrow(message);
  });
});

describe('GraphiQL playground, on the demo data `npm start` loads', () => {
  let gateway: TestGateway;
  let graphqlServer: RunningGateway;
  let origin: string;
  let position: { id: string; symbol: string };

  beforeAll(async () => {
    gateway = await startTestGateway();
    // The saved tabs' variables name rows of the demo data: the same seed and default scale as `serve`.
    await seedDatabase(gateway.database.url, { scale: loadConfig({}).demoScale, seed: DEMO_SEED });
    const { data } = await gateway.execute('{ positions(first: 1) { nodes { id symbol } } }');
    position = data!.positions.nodes[0];

    // The gateway's own HTTP server: playground and endpoint on one origin.
    graphqlServer = await startHttpServer(gateway.orm, { host: '127.0.0.1', port: 0 });
    origin = new URL(graphqlServer.url).origin;
  });
  afterAll(async () => {
    await graphqlServer?.close();
    await gateway?.close();
  });

  it('sends / to the playground', async () => {
    const response = await fetch(`${origin}/`, { redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/playground');
  });

  it('sends a browser opening /graphql to the playground, and leaves GET queries to GraphQL', async () => {
    const browser = await fetch(`${origin}/graphql`, {
      redirect: 'manual',
      headers: { accept: 'text/html,*/*;q=0.8' },
    });
    expect(browser.status).toBe(302);
    expect(browser.headers.get('location')).toBe('/playground');
    const query = await fetch(
      `${origin}/graphql?query=${encodeURIComponent('{ positions(first: 1) { nodes { symbol } } }')}`,
      {
        // Apollo's CSRF prevention wants a preflight-forcing header on GET operations.
        headers: { accept: 'text/html,application/json', 'apollo-require-preflight': 'true' },
      },
    );
    expect(query.status).toBe(200);
    expect(await query.json()).toEqual({ data: { positions: { nodes: [{ symbol: position.symbol }] } } });
  });

  it('serves the page with a strict CSP and no URL to another origin', async () => {
    const response = await fetch(`${origin}/playground`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/default-src 'self'/);
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
    const html = await response.text();
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).toContain('<script type="application/json" id="investigations">');
    // Every script is an asset of ours; the only inline one is JSON data.
    for (const [tag] of html.matchAll(/<script\b[^>]*>/g)) {
      expect(tag).toMatch(/src="\/playground\/assets\/[^"]+"|type="application\/json"/);
    }
  });

  it.each([
    ['react.production.min.js', /javascript/],
    ['react-dom.production.min.js', /javascript/],
    ['graphiql.min.js', /javascript/],
    ['graphiql.min.css', /^text\/css/],
    ['playground.js', /javascript/],
  ])('serves the asset %s', async (name, type) => {
    const response = await fetch(`${origin}/playground/assets/${name}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(type);
    expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(1000);
  });

  it.each(['unknown.js', '..%2F..%2Fpackage.json', 'toString', 'nested/react.production.min.js'])(
    'answers 404 for the asset path %s',
    async (name) => {
      const response = await fetch(`${origin}/playground/assets/${name}`);
      expect(response.status).toBe(404);
    },
  );

  it(
    'answers Run on every saved tab of a fresh load, before any typing and right after switching, ' +
      'as the gateway answers the saved text; offline',
    async () => {
      const playground = await openPlayground(origin, investigations.at(-1)!.title);
      try {
        expect(await playground.tabTitles()).toEqual(investigations.map((investigation) => investigation.title));
        // However many tabs are saved, each title is one line inside the tab bar (which scrolls), never
        // wrapped down over the editors and the result.
        const layout = await playground.page.evaluate(() => {
          const document = (globalThis as any).document;
          const bar = document.querySelector('.graphiql-tabs').getBoundingClientRect();
          const lineHeight = parseFloat(
            (globalThis as any).getComputedStyle(document.querySelector('.graphiql-tab-button')).lineHeight,
          );
          return [...document.querySelectorAll('.graphiql-tab-button')].map((button: any) => {
            const box = button.getBoundingClientRect();
            return { title: button.textContent, oneLine: box.height < 2 * lineHeight, inBar: box.bottom <= bar.bottom };
          });
        });
        expect(layout.filter((tab) => !tab.oneLine || !tab.inBar)).toEqual([]);

        /**
         * Run on the tab now open must send its saved operation and variables, and show the
         * gateway's answer to them.
         */
        const runExpecting = async ({ title, operationName, query, variables }: (typeof investigations)[number]) => {
          const { sent, answer } = await playground.run();
          expect({ title, errors: answer.errors }).toEqual({ title, errors: undefined });
          expect({ title, operationName: sent.operationName, variables: sent.variables ?? {} }).toEqual({
            title,
            operationName,
            variables,
          });
          expect({ title, answer }).toEqual({ title, answer: await graphql(graphqlServer.url, query, variables) });
          // A saved investigation that finds nothing on the demo data shows a newcomer nothing.
          const nullRoots = answer.data
            ? Object.keys(answer.data).filter((field) => answer.data![field] == null)
            : ['data'];
          expect({ title, nullRoots }).toEqual({ title, nullRoots: [] });
        };

        // The first tab is open on load; each other one is switched to and Run at once (GraphiQL
        // learns a tab's operation 100 ms after a switch); then a reload reopens the last one.
        await runExpecting(investigations[0]);
        for (const investigation of investigations.slice(1)) {
          await playground.switchTo(investigation.title);
          await runExpecting(investigation);
        }
        const last = investigations.length - 1;
        // GraphiQL stores its tabs 500 ms after a change: reload once the last tab is stored as the open one.
        await playground.page.waitForFunction(
          (index) =>
            JSON.parse((globalThis as any).localStorage.getItem('graphiql:tabState'))?.activeTabIndex === index,
          last,
        );
        await playground.reload();
        expect(await playground.tabTitles()).toEqual(investigations.map((investigation) => investigation.title));
        await runExpecting(investigations[last]);
        await playground.switchTo(investigations[0].title);
        await runExpecting(investigations[0]);

        await mkdir(path.dirname(screenshot), { recursive: true });
        await playground.page.screenshot({ path: screenshot });

        // Nothing from the internet: every request went to the gateway (others were refused and listed).
        expect(playground.offsite()).toEqual([]);
        expect(playground.requests.filter((url) => url.endsWith('/graphql')).length).toBeGreaterThan(
          investigations.length,
        );
        // A CSP violation or a script error shows up here.
        expect(playground.problems).toEqual([]);
      } finally {
        await playground.close();
      }
    },
  );
});
