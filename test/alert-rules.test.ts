import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { dump, load } from 'js-yaml';
import { metricsRegistry } from '../src/metrics/registry';
import '../src/server/plugins/graphql-metrics.plugin';
import '../src/metrics/gateway-metrics';
import '../src/integrator/integration-metrics';

const ops = path.join(__dirname, '..', 'ops');
const promtool = '/usr/bin/promtool';
const run = promisify(execFile);

type Rule = { alert: string; expr: string; labels?: Record<string, string>; annotations?: Record<string, string> };
type RuleTest = { alert_rule_test: { alertname: string; exp_alerts?: unknown[] }[] };
type Dashboard = { panels: { title: string; type: string; targets?: { expr: string }[] }[] };

const rules = (
  load(readFileSync(path.join(ops, 'prometheus', 'alerts.yml'), 'utf8')) as { groups: { rules: Rule[] }[] }
).groups.flatMap((group) => group.rules);
const ruleTests = (
  load(readFileSync(path.join(ops, 'prometheus', 'alerts.test.yml'), 'utf8')) as { tests: RuleTest[] }
).tests.flatMap((test) => test.alert_rule_test);
const dashboard = JSON.parse(readFileSync(path.join(ops, 'grafana', 'auditgraph.json'), 'utf8')) as Dashboard;
const runbook = readFileSync(path.join(__dirname, '..', 'docs', 'runbook.md'), 'utf8');

/** Every series name the gateway can expose (histograms add _bucket, _sum and _count). */
function exposedNames(): Set<string> {
  const names = new Set<string>();
  for (const metric of metricsRegistry.getMetricsAsArray()) {
    const { name, type } = metric as unknown as { name: string; type: string };
    names.add(name);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${name}${suffix}`);
  }
  return names;
}

/** The gateway's own metrics and the standard process and Node.js ones it serves. */
const referencedNames = (text: string) =>
  new Set([...text.matchAll(/\b(?:auditgraph|process|nodejs)_[a-z0-9_]+/g)].map((match) => match[0]));

/** The anchor GitHub gives a Markdown heading. */
const anchorOf = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N} -]/gu, '')
    .replace(/ /g, '-');
const runbookAnchors = new Set([...runbook.matchAll(/^#{2,3} (.+)$/gm)].map((match) => anchorOf(match[1]!)));

describe('ops/: Prometheus alert rules and the Grafana dashboard', () => {
  beforeAll(() => {
    if (!existsSync(promtool)) throw new Error(`${promtool} is missing: apt-get install -y prometheus (.ci/run does)`);
  });

  it("pass promtool's unit tests (ops/prometheus/alerts.test.yml)", async () => {
    const { stdout } = await run(promtool, ['test', 'rules', 'alerts.test.yml'], { cwd: path.join(ops, 'prometheus') });
    expect(stdout).toContain('SUCCESS');
  });

  it('each have a severity, a summary, a runbook section, and a test that fires and one that does not', () => {
    for (const rule of rules) {
      expect({ alert: rule.alert, severity: rule.labels?.severity }).toEqual({
        alert: rule.alert,
        severity: expect.stringMatching(/^(critical|warning)$/),
      });
      expect(rule.annotations?.summary).toEqual(expect.any(String));
      const [file, anchor] = (rule.annotations?.runbook_url ?? '').split('#');
      expect({ alert: rule.alert, file, known: runbookAnchors.has(anchor!) }).toEqual({
        alert: rule.alert,
        file: 'docs/runbook.md',
        known: true,
      });
      const cases = ruleTests.filter((test) => test.alertname === rule.alert);
      expect({ alert: rule.alert, fires: cases.some((test) => (test.exp_alerts ?? []).length > 0) }).toEqual({
        alert: rule.alert,
        fires: true,
      });
      expect({ alert: rule.alert, quiet: cases.some((test) => (test.exp_alerts ?? []).length === 0) }).toEqual({
        alert: rule.alert,
        quiet: true,
      });
    }
    expect(rules.length).toBeGreaterThanOrEqual(23);
  });

  it('alert only on metrics the gateway exposes', () => {
    const names = referencedNames(rules.map((rule) => rule.expr).join('\n'));
    expect([...names].filter((name) => !exposedNames().has(name))).toEqual([]);
    expect(names.size).toBeGreaterThanOrEqual(20);
  });

  it('chart only metrics the gateway exposes, in valid dashboard JSON', () => {
    const names = referencedNames(exprsOf(dashboard).join('\n'));
    expect([...names].filter((name) => !exposedNames().has(name))).toEqual([]);
    expect(names.size).toBeGreaterThanOrEqual(20);
  });

  it('chart expressions that promtool parses (each one a recording rule for `promtool check rules`)', async () => {
    const folder = await mkdtemp(path.join(tmpdir(), 'auditgraph-panels-'));
    try {
      const exprs = exprsOf(dashboard);
      const file = path.join(folder, 'panels.yml');
      const record = exprs.map((expr, index) => ({ record: `auditgraph:panel_${index}`, expr }));
      await writeFile(file, dump({ groups: [{ name: 'panels', rules: record }] }));
      const { stdout } = await run(promtool, ['check', 'rules', file]);
      expect(stdout).toContain(`SUCCESS: ${exprs.length} rules found`);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});

/** Every panel's PromQL; Grafana's `$__rate_interval` stands in as 5m, as Grafana itself fills it in. */
function exprsOf(board: Dashboard): string[] {
  return board.panels
    .flatMap((panel) => panel.targets ?? [])
    .map((target) => target.expr.replace(/\$__rate_interval/g, '5m'));
}
