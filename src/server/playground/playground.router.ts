import { createHash } from 'node:crypto';
import path from 'node:path';
import express from 'express';
import { loadInvestigations } from './investigations';
import { installationPath } from '../../base/installation-path';

export type PlaygroundOptions = {
  /** The path on this origin the page sends operations to, e.g. `/graphql`. */
  endpoint: string;
};

/**
 * The files the page may load, by asset name. An explicit list (not a static
 * folder over node_modules) so nothing else in node_modules is reachable.
 * UMD builds shipped by the npm packages: no bundler, no CDN, works offline.
 */
const assets: Record<string, string> = {
  'react.production.min.js': path.join(packageFolder('react'), 'umd', 'react.production.min.js'),
  'react-dom.production.min.js': path.join(packageFolder('react-dom'), 'umd', 'react-dom.production.min.js'),
  'graphiql.min.js': path.join(packageFolder('graphiql'), 'graphiql.min.js'),
  'graphiql.min.js.map': path.join(packageFolder('graphiql'), 'graphiql.min.js.map'),
  'graphiql.min.css': path.join(packageFolder('graphiql'), 'graphiql.min.css'),
  // Not compiled by tsc (plain browser JS), so read from src/ in dist builds too.
  'playground.js': installationPath('src', 'server', 'playground', 'playground.client.js'),
};

/** The packages' `exports` maps hide their UMD files from require.resolve, but not package.json. */
function packageFolder(name: string): string {
  return path.dirname(require.resolve(`${name}/package.json`));
}

/** The only inline code on the page; allowed by its hash, so the CSP needs no 'unsafe-inline'. */
/**
 * The page's one style. GraphiQL lets tabs shrink and their titles wrap, so
 * a dozen saved investigations spilled out of the tab bar over the result
 * pane: each title stays on one line and the bar scrolls sideways instead.
 */
const pageStyle =
  'html, body, #graphiql { height: 100%; margin: 0; } ' +
  '.graphiql-tab { flex-shrink: 0; } .graphiql-tab-button { white-space: nowrap; }';

/**
 * Everything from our own origin; nothing inline except the hashed style.
 * - style-src: GraphiQL sets styles through the CSSOM (element.style), which CSP allows.
 * - font-src / img-src data: graphiql.min.css embeds its fonts and icons as data: URLs
 *   (and the empty data: favicon spares a /favicon.ico request).
 * - connect-src 'self': the endpoint is served from the same origin as the page.
 * No 'unsafe-eval': GraphiQL 3 (CodeMirror 5) never evaluates strings.
 */
function contentSecurityPolicy(): string {
  const styleHash = createHash('sha256').update(pageStyle).digest('base64');
  return [
    `default-src 'self'`,
    `script-src 'self'`,
    `style-src 'self' 'sha256-${styleHash}'`,
    `font-src 'self' data:`,
    `img-src 'self' data:`,
    `connect-src 'self'`,
    `object-src 'none'`,
    `base-uri 'none'`,
    `form-action 'none'`,
    `frame-ancestors 'none'`,
  ].join('; ');
}

/** JSON inside <script>: escape `<` so a query containing `</script>` cannot end the block. */
const scriptSafeJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

/**
 * GET /playground: GraphiQL preloaded with one tab per saved investigation
 * (examples/investigations.graphql, read once here so a bad file fails at start).
 */
export function playgroundRouter(options: PlaygroundOptions): express.Router {
  const tabs = loadInvestigations().map(({ title, operationName, query, variables }) => ({
    title,
    operationName,
    query,
    variables: Object.keys(variables).length > 0 ? JSON.stringify(variables, null, 2) : '',
  }));
  const config = {
    endpoint: options.endpoint,
    // Changes when the saved investigations do, so the page replaces tabs a browser kept from an older set.
    version: createHash('sha256').update(JSON.stringify(tabs)).digest('hex').slice(0, 16),
    tabs,
  };
  const csp = contentSecurityPolicy();
  const asset = (name: string) => `/playground/assets/${name}`;
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>auditgraph playground</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${asset('graphiql.min.css')}">
<style>${pageStyle}</style>
</head>
<body>
<div id="graphiql">Loading the playground…</div>
<script type="application/json" id="investigations">${scriptSafeJson(config)}</script>
<script src="${asset('react.production.min.js')}"></script>
<script src="${asset('react-dom.production.min.js')}"></script>
<script src="${asset('graphiql.min.js')}"></script>
<script src="${asset('playground.js')}"></script>
</body>
</html>
`;

  const router = express.Router();
  router.get('/playground', (_request, response) => {
    response.set('Content-Security-Policy', csp).set('X-Content-Type-Options', 'nosniff').type('html').send(html);
  });
  router.get('/playground/assets/:name', (request, response, next) => {
    const file = Object.hasOwn(assets, request.params.name) ? assets[request.params.name] : undefined;
    if (!file) return next();
    response.set('X-Content-Type-Options', 'nosniff').sendFile(file, { dotfiles: 'deny' }, (error) => {
      if (error) next(error);
    });
  });
  // Unknown assets: a plain 404, not the GraphQL-shaped error handler of the app.
  router.use('/playground/assets', (_request, response) => {
    response.status(404).type('text').send('Not found');
  });
  return router;
}
