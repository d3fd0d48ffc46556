import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { webRoot } from '@unfold/web';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson } from './raw-clients.js';
import { startTestServer, type TestServer } from './test-server.js';
import invoice from './user-pipeline/invoice-pipeline.js';

const CHROMIUM = '/usr/bin/chromium';
// Markup in a payload: the page must show it as text, never build elements from it.
const TRAP = '<img src=x onerror="window.__injected = true"><b>bold</b>';
const LINES = [
  { item: 'paper', amount: 12.5 },
  { item: TRAP, amount: 80 },
  { item: 'stapler', amount: 7.25 },
];

/** A pipeline the web app has never heard of (the user-pipeline fixture) in Debian's Chromium, against the real server. */
describe('web app with a user pipeline loaded', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(join(webRoot, 'index.html'))) throw new Error(`the web app is not built at ${webRoot}: run npm run build`);
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run does)`);
    server = await startTestServer({}, { pipelines: [invoice], webRoot });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.cleanup();
  });

  async function choose(pipeline: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${server.url}/`);
    await page.getByLabel('Pipeline to run').selectOption(pipeline);
    return page;
  }

  const customEvents = (page: Page) =>
    page.getByTestId('custom-event').evaluateAll((items) => items.map((item) => ({ type: item.getAttribute('data-type'), text: item.querySelector('pre')?.textContent ?? '' })));

  it('starts an invoice run from its input schema and shows its tools and its data-line and data-total events live', async () => {
    const page = await choose('invoice');
    const details = page.getByTestId('pipeline-details');
    expect(await details.textContent()).toContain('read_lines → add_up');
    expect(await details.textContent()).toContain('data-line, data-total');
    expect(await page.getByTestId('input-fields').getByRole('row').allTextContents()).toEqual(expect.arrayContaining([expect.stringMatching(/^vendor \*string.*required/), expect.stringMatching(/^lines \*array of object/)]));
    expect(JSON.parse(await page.getByLabel('Input (JSON)').inputValue())).toEqual({ vendor: '', lines: [] });

    // Paced, so the run is still going when its first lines are on the page.
    await page.getByLabel('Input (JSON)').fill(JSON.stringify({ vendor: 'ACME', lines: LINES, pace_ms: 400 }));
    await page.getByRole('button', { name: 'Run invoice' }).click();
    await page.waitForURL(/\/runs\//);
    await page.getByTestId('custom-event').first().waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('outcome').count()).toBe(0);
    expect(await page.locator('[data-tool=read_lines]').getAttribute('data-status')).toMatch(/started|running/);

    await page.getByTestId('outcome').getByText('Completed').waitFor({ timeout: 15_000 });
    const tools = await page.getByTestId('tool').evaluateAll((items) => items.map((item) => `${item.getAttribute('data-tool')}:${item.getAttribute('data-status')}`));
    expect(tools).toEqual(['read_lines:completed', 'add_up:completed']);
    const shown = await customEvents(page);
    expect(shown.map((event) => event.type)).toEqual(['data-line', 'data-line', 'data-line', 'data-total']);
    expect(JSON.parse(shown[0]?.text ?? '')).toEqual({ index: 0, item: 'paper', amount: 12.5 });
    expect(JSON.parse(shown[1]?.text ?? '')).toEqual({ index: 1, item: TRAP, amount: 80 });
    expect(JSON.parse(shown[3]?.text ?? '')).toEqual({ total: 99.75, currency: 'EUR' });
    expect(await page.getByTestId('custom-event-count').textContent()).toBe('4 data-* events');
    // The markup stayed text: no element was made from it, no handler ran.
    expect(await page.locator('.custom-events img, .custom-events b').count()).toBe(0);
    expect(await page.evaluate(() => (window as { __injected?: boolean }).__injected)).toBeUndefined();
    // Folded and unfolded: the summary line then carries the data on one line.
    await page.getByTestId('custom-event').last().locator('summary').click();
    // The toggle re-renders on the next frame: poll rather than read once.
    await expect.poll(() => page.getByTestId('custom-event').last().locator('summary').textContent()).toBe('#11data-total{"total":99.75,"currency":"EUR"}');
    await page.close();
  });

  it('shows the server\'s invalid_input when the input does not fit the schema, and says when it is not JSON', async () => {
    const page = await choose('invoice');
    await page.getByLabel('Input (JSON)').fill('{"vendor": 7, "lines": []}');
    await page.getByRole('button', { name: 'Run invoice' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/invoice input: .*vendor.*\(invalid_input\)$/);
    await page.getByLabel('Input (JSON)').fill('{"vendor": "ACME",');
    await page.getByRole('button', { name: 'Run invoice' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/^The input is not valid JSON/);
    expect(new URL(page.url()).pathname).toBe('/');
    // The runs list filters by the server's pipelines, the user's among them.
    expect(await page.locator('.filters select').first().locator('option').allTextContents()).toContain('invoice');
    await page.close();
  });

  it('renders only the latest data events of a long run and folds a large payload, saying what it left out', async () => {
    const lines = Array.from({ length: 150 }, (_, index) => ({ item: index === 149 ? 'x'.repeat(20_000) : `line ${index}`, amount: 1 }));
    const { status, body } = await postJson(`${server.url}/v1/runs`, { pipeline: 'invoice', input: { vendor: 'ACME', lines } });
    expect(status).toBe(201);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${server.url}/runs/${body['run_id'] as string}`);
    await page.getByTestId('outcome').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('custom-event-count').textContent()).toBe('151 data-* events');
    expect(await page.getByTestId('custom-events-capped').textContent()).toBe('Showing the latest 100 of 151; every event is in the Events list below.');
    const seqs = await page.getByTestId('custom-event').evaluateAll((items) => items.map((item) => Number(item.getAttribute('data-seq'))));
    expect(seqs).toHaveLength(100);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    // The 20,000-character line starts folded; opened, it shows its first 8,000 characters and says the rest is left out.
    const large = page.getByTestId('custom-event').nth(98);
    expect(await large.locator('pre').count()).toBe(0);
    await large.locator('summary').click();
    expect(await large.locator('pre').textContent()).toMatch(/x{7000}[\s\S]*… 12,\d{3} more characters not shown here/);
    await page.close();
  });
});
