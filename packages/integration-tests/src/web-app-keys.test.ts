import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { webRoot } from '@unfold/web';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createKey } from './test-keys.js';
import { postJson } from './raw-clients.js';
import { startTestServer, type TestServer } from './test-server.js';

const CHROMIUM = '/usr/bin/chromium';
const RECEIPT = fileURLToPath(new URL('../../pipelines/fixtures/receipt.png', import.meta.url));

/** The web app in Debian's Chromium against a server that has API keys (README, "Keys and tenants"). */
describe('web app on a server with API keys', () => {
  let server: TestServer;
  let browser: Browser;
  let acmeKey: string;

  beforeAll(async () => {
    if (!existsSync(join(webRoot, 'index.html'))) throw new Error(`the web app is not built at ${webRoot}: run npm run build`);
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run does)`);
    const dataDir = await mkdtemp(join(tmpdir(), 'unfold-web-keys-'));
    acmeKey = (await createKey(dataDir, 'acme')).key;
    const globex = (await createKey(dataDir, 'globex')).key;
    server = await startTestServer({}, { dataDir, webRoot });
    expect((await postJson(`${server.url}/v1/runs`, { pipeline: 'demo', input: { pace: 0 }, run_id: 'globex-secret' }, bearer(globex))).status).toBe(201);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.cleanup();
  });

  it('asks for a key, says so when one is refused, then shows the tenant\'s runs only, streams a run and draws a receipt over its private image', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(server.url);
    await page.getByRole('heading', { name: 'This server needs an API key' }).waitFor();
    await page.getByLabel('API key', { exact: true }).fill(`ufk_${'x'.repeat(43)}`);
    await page.getByRole('button', { name: 'Use this key' }).click();
    await page.getByRole('alert').getByText('The server refused that key').waitFor();

    await page.getByLabel('API key', { exact: true }).fill(acmeKey);
    await page.getByRole('button', { name: 'Use this key' }).click();
    await page.getByRole('button', { name: 'Start a demo run' }).click();
    await page.waitForURL(/\/runs\//);
    await page.getByTestId('outcome').getByText('Completed').waitFor({ timeout: 15_000 });
    const runId = decodeURIComponent(new URL(page.url()).pathname.replace('/runs/', ''));

    // The key is kept for the tab: a reload goes straight to the runs list, which holds Acme's run and not Globex's.
    await page.goto(server.url);
    await page.getByTestId('runs-list').getByRole('link', { name: new RegExp(runId) }).waitFor();
    expect(await page.getByTestId('runs-list').getByRole('link', { name: /globex-secret/ }).count()).toBe(0);

    await page.getByTestId('file-input').setInputFiles(RECEIPT);
    await page.waitForURL(/\/runs\//);
    await page.getByTestId('totals-verdict').waitFor({ timeout: 60_000 });
    const image = page.getByAltText('The receipt');
    await expect.poll(() => image.evaluate((element) => (element as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
    // The image is as private as the run: its URL carries a token for that run; without one it is refused.
    const src = String(await image.getAttribute('src'));
    expect(src).toContain('access_token=');
    expect((await fetch(new URL(src.split('?')[0] as string, server.url))).status).toBe(401);
    await page.close();
  });
});
