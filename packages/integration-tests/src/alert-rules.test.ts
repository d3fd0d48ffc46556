import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';

const run = promisify(execFile);
const PROMETHEUS = fileURLToPath(new URL('../../../ops/prometheus/', import.meta.url));
const RUNBOOK = new URL('../../../docs/runbook.md', import.meta.url);

/** promtool comes with Debian's `prometheus` package; CI must have it, a laptop may not. */
async function promtoolPresent(): Promise<boolean> {
  try {
    await run('promtool', ['--version']);
    return true;
  } catch {
    return false;
  }
}
const hasPromtool = await promtoolPresent();

/** GitHub's anchor for a Markdown heading. */
const anchorOf = (heading: string): string =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s-]/gu, '')
    .replace(/\s/g, '-');

describe('alert rules', () => {
  it.skipIf(!hasPromtool && !process.env['CI'])('pass promtool’s check and its unit tests (alerts.test.yml)', async () => {
    expect(hasPromtool, 'promtool is not installed (apt-get install prometheus)').toBe(true);
    const check = await run('promtool', ['check', 'rules', 'alerts.yml'], { cwd: PROMETHEUS });
    expect(check.stdout).toMatch(/SUCCESS: \d+ rules found/);
    const unit = await run('promtool', ['test', 'rules', 'alerts.test.yml'], { cwd: PROMETHEUS });
    expect(unit.stdout).toContain('SUCCESS');
  });

  it('each point at a section of the runbook that exists', async () => {
    const rules = parseYaml(await readFile(`${PROMETHEUS}alerts.yml`, 'utf8')) as { groups: Array<{ rules: Array<{ alert: string; annotations: Record<string, string> }> }> };
    const anchors = new Set([...(await readFile(RUNBOOK, 'utf8')).matchAll(/^#{2,3} (.+)$/gm)].map((match) => anchorOf(match[1] as string)));
    const alerts = rules.groups.flatMap((group) => group.rules);
    expect(alerts.length).toBeGreaterThan(5);
    for (const alert of alerts) {
      const url = alert.annotations['runbook_url'] ?? '';
      expect(url, alert.alert).toMatch(/^docs\/runbook\.md#/);
      expect(anchors.has(url.slice(url.indexOf('#') + 1)), `${alert.alert}: ${url}`).toBe(true);
    }
  });
});
