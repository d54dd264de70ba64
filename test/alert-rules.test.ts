import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { metricsRegistry } from '../src/metrics/registry';
import '../src/server/plugins/graphql-metrics.plugin';
import '../src/metrics/gateway-metrics';
import '../src/integrator/integration-metrics';

const ops = path.join(__dirname, '..', 'ops');
const promtool = '/usr/bin/promtool';

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

const referencedNames = (text: string) =>
  new Set([...text.matchAll(/\bauditgraph_[a-z0-9_]+/g)].map((match) => match[0]));

describe('ops/: Prometheus alert rules and the Grafana dashboard', () => {
  it("pass promtool's unit tests (ops/prometheus/alerts.test.yml)", async () => {
    if (!existsSync(promtool)) throw new Error(`${promtool} is missing: apt-get install -y prometheus (.ci/run does)`);
    const { stdout } = await promisify(execFile)(promtool, ['test', 'rules', 'alerts.test.yml'], {
      cwd: path.join(ops, 'prometheus'),
    });
    expect(stdout).toContain('SUCCESS');
  });

  it('alert only on metrics the gateway exposes', () => {
    const rules = readFileSync(path.join(ops, 'prometheus', 'alerts.yml'), 'utf8');
    const unknown = [...referencedNames(rules)].filter((name) => !exposedNames().has(name));
    expect(unknown).toEqual([]);
    expect(referencedNames(rules).size).toBeGreaterThanOrEqual(6);
  });

  it('chart only metrics the gateway exposes, in valid dashboard JSON', () => {
    const dashboard = JSON.parse(readFileSync(path.join(ops, 'grafana', 'auditgraph.json'), 'utf8')) as {
      panels: { targets?: { expr: string }[] }[];
    };
    const exprs = dashboard.panels
      .flatMap((panel) => panel.targets ?? [])
      .map((target) => target.expr)
      .join('\n');
    const unknown = [...referencedNames(exprs)].filter((name) => !exposedNames().has(name));
    expect(unknown).toEqual([]);
    expect(referencedNames(exprs).size).toBeGreaterThanOrEqual(10);
  });
});
