import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';

const OPS = new URL('../../../ops/', import.meta.url);

/** Every PromQL expression of the Grafana dashboard's panels and of the alert rules. */
export async function opsExpressions(): Promise<{ dashboard: string[]; alerts: Array<{ alert: string; expr: string }> }> {
  const dashboard = JSON.parse(await readFile(new URL('grafana/unfold-dashboard.json', OPS), 'utf8')) as { panels: Array<{ targets: Array<{ expr: string }> }> };
  const rules = parseYaml(await readFile(new URL('prometheus/alerts.yml', OPS), 'utf8')) as { groups: Array<{ rules: Array<{ alert: string; expr: string }> }> };
  return {
    dashboard: dashboard.panels.flatMap((panel) => panel.targets.map((target) => target.expr)),
    alerts: rules.groups.flatMap((group) => group.rules.map(({ alert, expr }) => ({ alert, expr }))),
  };
}

const PROMQL_WORDS = new Set(['sum', 'by', 'rate', 'increase', 'histogram_quantile', 'clamp_min', 'max', 'min', 'avg', 'count', 'absent', 'without', 'on', 'ignoring', 'le', 'and', 'or', 'unless', 'bool', 'offset']);

/** Labels a query groups or matches on: `by (…)`, `on (…)` and the like. */
export function groupingLabels(expr: string): string[] {
  return [...expr.matchAll(/\b(?:by|without|on|ignoring)\s*\(([^)]*)\)/g)].flatMap((match) => (match[1] as string).split(',').map((label) => label.trim())).filter(Boolean);
}

/** Metric names in a PromQL expression: identifiers that are not functions, keywords, labels or strings. */
export function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/"[^"]*"/g, '')
    .replace(/\b\d+(\.\d+)?(e[-+]?\d+)?\b/gi, '');
  const labels = new Set(groupingLabels(expr));
  return [...bare.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)].map((match) => match[0]).filter((word) => !PROMQL_WORDS.has(word) && !labels.has(word));
}

/** The `name{label="value"}` matchers of an expression, by metric name. */
export function labelMatchers(expr: string): Array<{ name: string; labels: Record<string, string> }> {
  return [...expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\{([^}]*)\}/g)].map((match) => ({
    name: match[1] as string,
    labels: Object.fromEntries([...(match[2] as string).matchAll(/(\w+)\s*=\s*"([^"]*)"/g)].map((pair) => [pair[1] as string, pair[2] as string])),
  }));
}

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a Prometheus text scrape. */
export async function scrapeSamples(url: string): Promise<Sample[]> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not a sample: ${line}`);
    const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((pair) => [pair[1] as string, pair[2] as string]));
    samples.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return samples;
}
