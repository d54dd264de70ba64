import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { parse, validate } from 'graphql';
import { chromium } from 'playwright-core';
import { gatewaySchema } from '../src/graphql/schema';
import { type RunningGateway, startHttpServer } from '../src/http-server';
import { loadInvestigations, parseInvestigations } from '../src/playground/investigations';
import { createTrade } from './harness/fixtures';
import { startTestGateway, type TestGateway } from './harness/gateway';

const chromiumPath = '/usr/bin/chromium';
const screenshot = path.join(__dirname, 'artifacts', 'playground.png');
const titles = [
  'Trace a position',
  'Blast radius of an ingestion run',
  'Rationale matches a JSON filter',
  'Broker errors',
  'Correlation trail',
];

describe('saved investigations (examples/investigations.graphql)', () => {
  it('holds exactly the five tabs', () => {
    const investigations = loadInvestigations();
    expect(investigations.map((investigation) => investigation.title)).toEqual(titles);
    expect(Object.keys(investigations[0].variables)).toEqual(['positionId']);
  });

  it('validates every operation against the schema', async () => {
    const schema = await gatewaySchema();
    for (const { title, query } of loadInvestigations()) {
      expect({ title, errors: validate(schema, parse(query)).map((error) => error.message) }).toEqual({ title, errors: [] });
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
    ['variables that are not JSON', '# Tab: A\n# Variables: {positionId: 1}\nquery A { x }', /:2: `# Variables:` is not valid JSON/],
    ['variables that are not an object', '# Tab: A\n# Variables: [1]\nquery A { x }', /must be a JSON object/],
    ['an undeclared variable', '# Tab: A\n# Variables: {"id":"1"}\nquery A { x }', /variable "id" is not declared/],
    ['no operation', '# Tab: A\n\n# Tab: B\nquery B { x }', /tab "A": no operation/],
    ['invalid GraphQL', '# Tab: A\nquery A { x', /tab "A": not valid GraphQL/],
    ['two operations in one tab', '# Tab: A\nquery A { x }\nquery B { y }', /expected exactly one operation/],
    ['an anonymous operation', '# Tab: A\n{ x }', /needs a name/],
    ['a duplicate title', '# Tab: A\nquery A { x }\n# Tab: A\nquery B { x }', /two tabs share the title "A"/],
  ])('refuses a file with %s', (_case, text, message) => {
    expect(() => parseInvestigations(text, 'bad.graphql')).toThrow(message);
  });
});

describe('GraphiQL playground', () => {
  let gateway: TestGateway;
  let graphqlServer: RunningGateway;
  let origin: string;
  let position: { id: string; symbol: string };

  beforeAll(async () => {
    gateway = await startTestGateway();
    await createTrade(gateway.orm.em.fork(), { executionCount: 2 });
    // The position's id as the API spells it, whatever the id scheme.
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
    const browser = await fetch(`${origin}/graphql`, { redirect: 'manual', headers: { accept: 'text/html,*/*;q=0.8' } });
    expect(browser.status).toBe(302);
    expect(browser.headers.get('location')).toBe('/playground');
    const query = await fetch(`${origin}/graphql?query=${encodeURIComponent('{ positions(first: 1) { nodes { symbol } } }')}`, {
      // Apollo's CSRF prevention wants a preflight-forcing header on GET operations.
      headers: { accept: 'text/html,application/json', 'apollo-require-preflight': 'true' },
    });
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

  it('shows the saved tabs and traces a position in a headless browser, offline', async () => {
    if (!existsSync(chromiumPath)) {
      throw new Error(`${chromiumPath} is missing: install Debian's Chromium (apt-get install -y chromium); .ci/run does`);
    }
    const browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      const requests: string[] = [];
      const problems: string[] = [];
      page.on('request', (request) => requests.push(request.url()));
      page.on('response', (response) => {
        if (response.status() >= 400) problems.push(`HTTP ${response.status()} for ${response.url()}`);
      });
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      page.on('console', (message) => {
        // A failed load is already reported with its URL by the response listener.
        if (message.type() === 'error' && !/^Failed to load resource/.test(message.text())) problems.push(`console error: ${message.text()}`);
      });

      expect((await page.goto(`${origin}/playground`))?.status()).toBe(200);
      const tabs = page.locator('.graphiql-tab-button');
      // The page relabels GraphiQL's tabs (operation names) with the saved titles.
      await tabs.filter({ hasText: titles[titles.length - 1] }).waitFor();
      expect(await tabs.allTextContents()).toEqual(titles);

      await page.getByRole('button', { name: 'Trace a position', exact: true }).click();
      // Replace the saved variables as a user would: select all, type.
      const variables = page.locator('.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror');
      await variables.click();
      await page.keyboard.press('Control+A');
      await page.keyboard.insertText(JSON.stringify({ positionId: position.id }));
      await page.locator('.graphiql-execute-button').click();

      const result = page.locator('.graphiql-response');
      await result
        .filter({ hasText: position.symbol })
        .filter({ hasText: '"executions"' })
        .waitFor({ timeout: 30_000 })
        .catch((error: Error) => {
          // A blocked script or style usually explains a page that never answers.
          throw new Error(`${error.message}\npage problems: ${JSON.stringify(problems, null, 2)}`);
        });
      // The whole answer, not just the rendered lines: CodeMirror keeps it.
      const answer = JSON.parse(await result.locator('.CodeMirror').evaluate((editor: any) => editor.CodeMirror.getValue()));
      expect(answer.errors).toBeUndefined();
      expect(answer.data.position).toMatchObject({ id: position.id, symbol: position.symbol });
      expect(answer.data.position.executions.nodes).toHaveLength(2);

      await mkdir(path.dirname(screenshot), { recursive: true });
      await page.screenshot({ path: screenshot });

      // data: URLs are the stylesheet's embedded fonts and icons, not network requests.
      const offsite = requests.filter((url) => !url.startsWith('data:') && !['127.0.0.1', 'localhost'].includes(new URL(url).hostname));
      expect(offsite).toEqual([]);
      expect(requests.some((url) => url.endsWith('/graphql'))).toBe(true);
      // A CSP violation or a script error shows up here.
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
