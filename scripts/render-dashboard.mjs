// Renders the Grafana dashboard's panels with real data, for the README, without Grafana:
// a real Prometheus (Debian's `prometheus` package) scrapes a real Unfold server under a
// minute of mixed load, each panel's PromQL from ops/grafana/unfold-dashboard.json is
// queried from Prometheus, and Chromium draws the series. Run after `npm run build`:
//   node scripts/render-dashboard.mjs      (writes docs/images/dashboard.png)
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from '@unfold/client/node';
import { createUnfoldServer, loadConfig } from '@unfold/gateway';
import { chromium } from 'playwright-core';

const root = fileURLToPath(new URL('..', import.meta.url));
const dashboard = JSON.parse(await readFile(join(root, 'ops/grafana/unfold-dashboard.json'), 'utf8'));
const work = await mkdtemp(join(tmpdir(), 'unfold-dashboard-'));
const server = await createUnfoldServer({ config: loadConfig({ UNFOLD_DATA_DIR: work, LOG_LEVEL: 'warn' }) });
const url = await server.listen(0, '127.0.0.1');
const promPort = 9391;
await writeFile(
  join(work, 'prometheus.yml'),
  `global: { scrape_interval: 1s, evaluation_interval: 5s }\nrule_files: ['${join(root, 'ops/prometheus/alerts.yml')}']\nscrape_configs:\n  - job_name: unfold\n    static_configs: [{ targets: ['${url.replace('http://', '')}'] }]\n`,
);
const prometheus = spawn('prometheus', [`--config.file=${join(work, 'prometheus.yml')}`, `--storage.tsdb.path=${join(work, 'tsdb')}`, `--web.listen-address=127.0.0.1:${promPort}`, '--enable-feature=exemplar-storage'], { stdio: 'ignore' });
const query = async (path) => (await (await fetch(`http://127.0.0.1:${promPort}${path}`)).json()).data;

try {
  const client = createClient({ baseUrl: url });
  const boxes = await readFile(join(root, 'packages/pipelines/fixtures/receipt.png'));
  const email = await readFile(join(root, 'packages/integration-tests/fixtures/intake.eml'), 'utf8');
  const started = Date.now();
  const inFlight = new Set();
  let round = 0;
  // A minute of mixed load: demo runs (some failing, some retrying), receipts through OCR, emails; each watched over a different transport.
  while (Date.now() - started < 60_000) {
    const transports = [['websocket'], ['sse'], ['ndjson'], ['long-poll']][round % 4];
    const watcher = createClient({ baseUrl: url, transports });
    const requests = [
      { pipeline: 'demo', input: { pace: 0.3, ...(round % 5 === 0 ? { fail_tool: 'validate' } : {}), ...(round % 3 === 0 ? { flaky: true } : {}) } },
      ...(round % 4 === 0 ? [{ pipeline: 'receipt', input: { image_base64: boxes.toString('base64') } }] : []),
      { pipeline: 'email', input: { raw: email } },
    ];
    for (const request of requests) {
      const done = watcher.runAndWatch(request).done.catch(() => undefined);
      inFlight.add(done);
      void done.then(() => inFlight.delete(done));
    }
    round++;
    await new Promise((resolve) => setTimeout(resolve, 400));
  }
  await Promise.all(inFlight);
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  const end = Date.now() / 1000;
  const panels = [];
  for (const panel of dashboard.panels) {
    const series = [];
    for (const target of panel.targets) {
      const expr = target.expr.replaceAll('[5m]', '[30s]').replaceAll('[10m]', '[30s]');
      const data = await query(`/api/v1/query_range?query=${encodeURIComponent(expr)}&start=${end - 75}&end=${end}&step=2`);
      for (const result of data?.result ?? []) {
        const legend = target.legendFormat.replace(/\{\{(\w+)\}\}/g, (_, label) => result.metric[label] ?? '');
        series.push({ legend, points: result.values.map(([time, value]) => [time - end, Number(value)]).filter(([, value]) => Number.isFinite(value)) });
      }
    }
    panels.push({ title: panel.title, unit: panel.fieldConfig.defaults.unit, series: series.slice(0, 8) });
  }
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.setContent(`<!doctype html><html><body style="margin:0;background:#111217;color:#ccccdc;font:13px system-ui"><div id="grid"></div><script>window.PANELS=${JSON.stringify(panels)}</script><script>(${draw.toString()})()</script></body></html>`);
  await page.screenshot({ path: join(root, 'docs/images/dashboard.png'), fullPage: true });
  await browser.close();
  const rules = await query('/api/v1/rules');
  console.log(`rendered ${panels.length} panels; alert rules loaded: ${rules.groups.flatMap((group) => group.rules.map((rule) => `${rule.name}=${rule.state}`)).join(', ')}`);
} finally {
  prometheus.kill('SIGTERM');
  await server.close();
  await rm(work, { recursive: true, force: true });
}

/** In the page: a 2-column grid of panels, each series an SVG polyline, Grafana-dark. */
function draw() {
  const colours = ['#73bf69', '#f2cc0c', '#8ab8ff', '#ff780a', '#f2495c', '#5794f2', '#b877d9', '#fade2a'];
  const format = (value, unit) => (unit === 's' ? (value < 1 ? `${(value * 1000).toFixed(value < 0.01 ? 1 : 0)} ms` : `${value.toFixed(2)} s`) : unit === 'percentunit' ? `${(value * 100).toFixed(0)}%` : unit === 'ops' ? `${value.toFixed(2)}/s` : value >= 1e6 ? `${(value / 1e6).toFixed(0)} M` : value.toFixed(value < 10 ? 2 : 0));
  const grid = document.getElementById('grid');
  grid.style.cssText = 'display:grid;grid-template-columns:1fr 1fr;gap:8px;padding:8px';
  grid.insertAdjacentHTML('beforebegin', '<div style="padding:10px 12px 0;font-size:16px;color:#fff">Unfold — ops/grafana/unfold-dashboard.json, data from Prometheus scraping a server under a minute of mixed load</div>');
  for (const panel of window.PANELS) {
    const all = panel.series.flatMap((series) => series.points);
    const max = Math.max(1e-9, ...all.map(([, value]) => value));
    const width = 660;
    const height = 170;
    const x = (time) => ((time + 75) / 75) * width;
    const y = (value) => height - (value / max) * (height - 10);
    const lines = panel.series.map((series, index) => `<polyline fill="none" stroke="${colours[index % colours.length]}" stroke-width="1.6" points="${series.points.map(([time, value]) => `${x(time).toFixed(1)},${y(value).toFixed(1)}`).join(' ')}"/>`).join('');
    const legend = panel.series.map((series, index) => `<span style="margin-right:12px;white-space:nowrap"><span style="display:inline-block;width:10px;height:3px;background:${colours[index % colours.length]};vertical-align:middle;margin-right:4px"></span>${series.legend || 'value'} ${format(series.points.at(-1)?.[1] ?? 0, panel.unit)}</span>`).join('');
    grid.insertAdjacentHTML('beforeend', `<div style="background:#181b1f;border:1px solid #2c3235;border-radius:4px;padding:8px 10px"><div style="color:#fff;font-weight:600;margin-bottom:4px">${panel.title}</div><svg width="${width}" height="${height}" style="display:block;background:linear-gradient(#22252b 1px,transparent 1px) 0 0/100% 42px"><text x="2" y="10" fill="#8e8e8e" font-size="10">${format(max, panel.unit)}</text>${lines}</svg><div style="font-size:11px;margin-top:4px;line-height:1.6">${legend || '<span style="color:#8e8e8e">no data</span>'}</div></div>`);
  }
}
