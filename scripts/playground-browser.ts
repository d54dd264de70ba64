import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';

/** Debian's Chromium: playwright-core drives it, so nothing is downloaded. */
const chromiumPath = '/usr/bin/chromium';

/** What one press of Run sent, and the answer GraphiQL shows for it. */
export type PlaygroundRun = {
  sent: { operationName?: string; variables?: Record<string, unknown> | null; query: string };
  answer: { data?: Record<string, unknown> | null; errors?: unknown[] };
};

/** What GraphiQL's editors are in the page: CodeMirror 5 instances, hung on their elements. */
type CodeMirrorElement = { CodeMirror: { getValue(): string } };
type PageGlobals = { document: { querySelector(selector: string): CodeMirrorElement | null } };

/** A headless browser on the playground page, offline but for the gateway's own origin. */
export type Playground = {
  page: Page;
  /**
   * Every URL the page asked for, in order (data: URLs excluded: the
   * stylesheet embeds its fonts and icons, nothing is fetched).
   */
  requests: string[];
  /** Requests to another origin: refused as on a network with no internet, and listed here. */
  offsite(): string[];
  /** Script errors, CSP violations, console errors and HTTP errors, as they happened. */
  problems: string[];
  /** The tab labels, in order, once the page has relabelled them with the saved titles. */
  tabTitles(): Promise<string[]>;
  switchTo(title: string): Promise<void>;
  /** Reloads the page, as a user coming back to it would (GraphiQL keeps the tabs in localStorage). */
  reload(): Promise<void>;
  /** Presses Run, as a user would, and waits for the answer to appear. */
  run(): Promise<PlaygroundRun>;
  close(): Promise<void>;
};

/**
 * Opens `<origin>/playground` in a fresh browser profile (no tabs kept from
 * an earlier visit) and waits until the tab labelled `lastTitle` shows.
 */
export async function openPlayground(
  origin: string,
  lastTitle: string,
  viewport = { width: 1400, height: 900 },
): Promise<Playground> {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `${chromiumPath} is missing: install Debian's Chromium (apt-get install -y chromium); .ci/run does`,
    );
  }
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  try {
    return await open(browser, origin, lastTitle, viewport);
  } catch (error) {
    await browser.close();
    throw error;
  }
}

async function open(
  browser: Browser,
  origin: string,
  lastTitle: string,
  viewport: { width: number; height: number },
): Promise<Playground> {
  const context = await browser.newContext({ viewport });
  const requests: string[] = [];
  const problems: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    requests.push(url);
    return new URL(url).origin === origin ? route.continue() : route.abort('internetdisconnected');
  });
  const page = await context.newPage();
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()} for ${response.url()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    // A failed load is reported with its URL by the response listener, an offsite one by offsite().
    if (message.type() === 'error' && !/^Failed to load resource/.test(message.text()))
      problems.push(`console error: ${message.text()}`);
  });

  const tabs = page.locator('.graphiql-tab-button');
  const shown = async (load: Promise<{ status(): number } | null>, what: string) => {
    const status = (await load)?.status();
    if (status !== 200) throw new Error(`${what} ${origin}/playground answered ${status}`);
    await tabs
      .filter({ hasText: lastTitle })
      .first()
      .waitFor({ timeout: 30_000 })
      .catch((error: Error) => {
        // A blocked script or style usually explains a page that never shows its tabs.
        throw new Error(`${error.message}\npage problems: ${JSON.stringify(problems, null, 2)}`);
      });
  };
  await shown(page.goto(`${origin}/playground`), 'GET');
  const response = page.locator('.graphiql-response .CodeMirror');

  return {
    page,
    requests,
    offsite: () => requests.filter((url) => new URL(url).origin !== origin),
    problems,
    tabTitles: () => tabs.allTextContents(),
    switchTo: (title) => page.getByRole('button', { name: title, exact: true }).click(),
    reload: () => shown(page.reload(), 'reloading'),
    async run() {
      const operation = page.waitForRequest(
        (request) =>
          request.method() === 'POST' &&
          request.url() === `${origin}/graphql` &&
          request.postDataJSON()?.operationName !== 'IntrospectionQuery',
      );
      await page.locator('.graphiql-execute-button').click();
      const request = await operation;
      await request.response();
      // GraphiQL empties the response pane before it sends; it fills it once the answer is in.
      // A function, not a string: the page's CSP forbids eval. (No DOM types here: the page's globals typed by hand.)
      await page.waitForFunction(
        () =>
          (globalThis as unknown as PageGlobals).document
            .querySelector('.graphiql-response .CodeMirror')
            ?.CodeMirror.getValue() !== '',
      );
      const text = await response.evaluate((editor) => (editor as unknown as CodeMirrorElement).CodeMirror.getValue());
      return { sent: request.postDataJSON(), answer: JSON.parse(text) };
    },
    close: () => browser.close(),
  };
}
