import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { webRoot } from '@unfold/web';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, postJson } from './raw-clients.js';
import { INTAKE_ANSWER, startLocalModel } from './local-model-endpoint.js';
import { startTestServer, type TestServer } from './test-server.js';

const CHROMIUM = '/usr/bin/chromium';
const RECEIPT = fileURLToPath(new URL('../../pipelines/fixtures/receipt.png', import.meta.url));
const EMAIL = fileURLToPath(new URL('../fixtures/intake.eml', import.meta.url));
const UNFOLD = fileURLToPath(new URL('../../cli/bin/unfold.js', import.meta.url));

/** A port free now, to stop a server on and start it again on. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** `unfold serve` in its own process, as a user runs it, ready once /healthz answers. */
async function serve(port: number, dataDir: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [UNFOLD, 'serve'], { env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', UNFOLD_DATA_DIR: dataDir, LOG_LEVEL: 'warn' }, stdio: 'ignore' });
  for (const deadline = Date.now() + 20_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 100))) {
    if (child.exitCode !== null) throw new Error(`unfold serve exited with ${child.exitCode}`);
    if ((await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.ok) return child;
  }
  child.kill('SIGKILL');
  throw new Error('unfold serve did not answer within 20 s');
}

/** The web app in Debian's Chromium against the real server; the model is a local streaming endpoint. */
describe('web app in a real browser', () => {
  let server: TestServer;
  let model: Awaited<ReturnType<typeof startLocalModel>>;
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(join(webRoot, 'index.html'))) throw new Error(`the web app is not built at ${webRoot}: run npm run build`);
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run does)`);
    model = await startLocalModel(INTAKE_ANSWER, 25);
    server = await startTestServer({ UNFOLD_EMAIL_EXTRACTOR: 'model', UNFOLD_MODEL_BASE_URL: model.url, UNFOLD_MODEL_NAME: 'local' }, { webRoot });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.cleanup();
    await model?.close();
  });

  async function open(path: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${server.url}${path}`);
    return page;
  }

  const runIdOf = (page: Page) => decodeURIComponent(new URL(page.url()).pathname.replace('/runs/', ''));

  it('starts a demo run from the runs page and shows each tool completing', async () => {
    const page = await open('/');
    await page.getByRole('button', { name: 'Start a demo run' }).click();
    await page.waitForURL(/\/runs\//);
    await page.getByTestId('outcome').getByText('Completed').waitFor({ timeout: 15_000 });
    const statuses = await page.getByTestId('tool').evaluateAll((tools) => tools.map((tool) => `${tool.getAttribute('data-tool')}:${tool.getAttribute('data-status')}`));
    expect(statuses.sort()).toEqual(['detect_layout:completed', 'fetch_document:completed', 'label_fields:completed', 'read_text:completed', 'validate:completed']);
    await expect.poll(() => page.getByTestId('announcer').textContent()).toBe('Run completed.');
    // Replay: back to the start, then scrubbed to the end again.
    const total = Number((await page.getByTestId('event-count').textContent())?.split(' ')[0]);
    await page.getByRole('button', { name: '▶ Replay this run' }).click();
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByLabel('Replay position').fill('0');
    await expect.poll(() => page.getByTestId('event-count').textContent()).toBe('0 events');
    expect(await page.getByTestId('tool').count()).toBe(0);
    await page.getByLabel('Replay position').fill(String(total));
    await expect.poll(() => page.getByTestId('tool').count()).toBe(5);
    await page.getByRole('button', { name: 'Back to live' }).click();
    // Back on the list, the run is there, completed.
    const runId = runIdOf(page);
    await page.getByRole('link', { name: '← All runs' }).click();
    await page.getByTestId('runs-list').getByRole('link', { name: new RegExp(`${runId}.*completed`) }).waitFor();
    await page.close();
  });

  it('keeps the runs list live: a run started elsewhere appears and changes status without a reload', async () => {
    const page = await open('/');
    await page.getByText('live', { exact: true }).waitFor();
    const runId = `elsewhere-${Date.now()}`;
    await postJson(`${server.url}/v1/runs`, { pipeline: 'demo', input: { pace: 0.5 }, run_id: runId });
    const row = page.getByTestId('runs-list').getByRole('link', { name: new RegExp(runId) });
    await row.getByText(/queued|running/).waitFor();
    await row.getByText('completed').waitFor({ timeout: 15_000 });
    // Filtered to failed runs, it is gone; back to all, it is there.
    await page.getByLabel('Status').selectOption('failed');
    await expect.poll(() => row.count()).toBe(0);
    await page.getByLabel('Status').selectOption('');
    await row.waitFor();
    await page.close();
  });

  it('uploads the receipt fixture and draws its labelled word boxes and the totals verdict', async () => {
    const page = await open('/');
    await page.getByTestId('file-input').setInputFiles(RECEIPT);
    await page.waitForURL(/\/runs\//);
    await page.getByTestId('totals-verdict').waitFor({ timeout: 60_000 });
    const labels = await page.locator('[data-testid=word-boxes] rect[data-label]').evaluateAll((rects) => rects.map((rect) => rect.getAttribute('data-label')));
    expect(labels.length).toBeGreaterThan(5);
    expect(new Set(labels)).toContain('GRAND_TOTAL');
    expect(await page.getByTestId('totals-verdict').textContent()).toMatch(/passed|failed/);
    const image = page.getByAltText('The receipt');
    await expect.poll(() => image.evaluate((element) => (element as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
    await page.close();
  });

  it('shows the model’s tokens and each email field before the run completes', async () => {
    const page = await open('/');
    // Note, in the page, whether the run had ended when the first field appeared.
    await page.evaluate(() => {
      const observer = new MutationObserver(() => {
        const w = window as unknown as { firstFieldBeforeEnd?: boolean };
        if (w.firstFieldBeforeEnd === undefined && document.querySelector('.email-field')) {
          w.firstFieldBeforeEnd = document.querySelector('[data-testid=outcome]') === null;
        }
      });
      observer.observe(document.body, { childList: true, subtree: true });
    });
    await page.getByTestId('file-input').setInputFiles(EMAIL);
    await page.waitForURL(/\/runs\//);
    await page.getByTestId('outcome').getByText('Completed').waitFor({ timeout: 20_000 });
    expect(await page.evaluate(() => (window as unknown as { firstFieldBeforeEnd?: boolean }).firstFieldBeforeEnd)).toBe(true);
    expect(await page.getByTestId('tokens').textContent()).toContain('"candidate_name":"Dana Whitfield"');
    expect(await page.locator('[data-testid=email-fields] [data-field=company_name] dd').textContent()).toBe('Northwind Energy Inc.');
    expect(await page.getByTestId('records').textContent()).toMatch(/created deal/);
    await page.close();
  });

  it('survives the server closing its connection mid-run and ends with every event exactly once', async () => {
    const page = await open('/');
    await page.getByRole('button', { name: 'Start a demo run' }).click();
    await page.waitForURL(/\/runs\//);
    await page.getByTestId('connection').getByText(/live over websocket/).waitFor();
    await page.getByTestId('event-row').nth(4).waitFor();
    await page.evaluate(() => {
      const badge = document.querySelector('[data-testid=connection]') as Element;
      new MutationObserver(() => {
        if (/resumed/.test(badge.textContent ?? '')) (window as unknown as { resumed?: boolean }).resumed = true;
      }).observe(badge, { childList: true, characterData: true, subtree: true });
    });
    for (const client of server.server.app.websocketServer.clients) client.terminate();
    await page.getByTestId('outcome').getByText('Completed').waitFor({ timeout: 20_000 });
    expect(await page.evaluate(() => (window as unknown as { resumed?: boolean }).resumed)).toBe(true);
    const runId = runIdOf(page);
    const { body } = await getJson(`${server.url}/v1/runs/${encodeURIComponent(runId)}`);
    const lastSeq = body['last_seq'] as number;
    expect(await page.getByTestId('event-count').textContent()).toBe(`${lastSeq} events · seq 1–${lastSeq} · gapless`);
    // The rows the list rendered carry distinct seqs, in order.
    await page.locator('.event-scroller').evaluate((element) => element.scrollTo(0, element.scrollHeight));
    const renderedSeqs = () => page.getByTestId('event-row').evaluateAll((rows) => rows.map((row) => Number(row.getAttribute('data-seq'))));
    await expect.poll(async () => (await renderedSeqs()).at(-1)).toBe(lastSeq);
    const seqs = await renderedSeqs();
    expect(new Set(seqs).size).toBe(seqs.length);
    await page.close();
  });

  it('says in plain words when a file is neither a receipt nor an email, and keeps working', async () => {
    const page = await open('/');
    await page.getByTestId('file-input').setInputFiles({ name: 'notes.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.7 not a receipt') });
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/neither a receipt .* nor an email/);
    // PNG's signature and nothing after it: the page sends it, the server refuses it.
    const broken = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('-broken-')]);
    await page.getByTestId('file-input').setInputFiles({ name: 'broken.png', mimeType: 'image/png', buffer: broken });
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/not an image the server can read.*damaged/);
    expect(new URL(page.url()).pathname).toBe('/');
    // Over the server's limit: refused before anything is sent.
    await page.getByTestId('file-input').setInputFiles({ name: 'huge.png', mimeType: 'image/png', buffer: Buffer.alloc(21 * 1024 * 1024, 0x89) });
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/huge\.png is 21\.0 MB; the limit is 20 MB/);
    await page.close();
  });

  it('says the server cannot be reached when it is down, and works again once it answers', async () => {
    const page = await open('/');
    await page.route('**/v1/runs', (route) => (route.request().method() === 'POST' ? route.abort('connectionrefused') : route.continue()));
    await page.getByRole('button', { name: 'Start a demo run' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/The server is not answering right now/);
    await page.unroute('**/v1/runs');
    await page.getByRole('button', { name: 'Start a demo run' }).click();
    await page.waitForURL(/\/runs\//);
    await page.close();
  });

  it('says plainly when the server is gone, and that the run resumed once it is back, with every event once', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'unfold-web-outage-'));
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    let child = await serve(port, dataDir);
    try {
      const { body } = await postJson(`${base}/v1/runs`, { pipeline: 'demo', input: { pace: 4 } });
      const runId = body['run_id'] as string;
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await page.goto(`${base}/runs/${runId}`);
      await page.getByTestId('event-row').nth(3).waitFor();
      const notice = page.getByTestId('server-outage');
      expect(await notice.getAttribute('aria-live')).toBe('polite');
      expect(await notice.textContent()).toBe('');

      // The process dies mid-run, as a crash or an OOM kill would end it.
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
      await notice.getByText(/The server is not answering — retrying/).waitFor({ timeout: 15_000 });
      expect(await notice.getAttribute('role')).toBe('status');

      child = await serve(port, dataDir);
      await notice.getByText(/The server is back — the run resumed where it left off/).waitFor({ timeout: 20_000 });
      // The run ends (the restarted server ends what the stop interrupted) with every event once.
      await page.getByTestId('outcome').waitFor({ timeout: 20_000 });
      const { body: run } = await getJson(`${base}/v1/runs/${runId}`);
      const lastSeq = run['last_seq'] as number;
      await expect.poll(() => page.getByTestId('event-count').textContent()).toBe(`${lastSeq} events · seq 1–${lastSeq} · gapless`);
      await page.close();
    } finally {
      child.kill('SIGKILL');
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 90_000);
});
