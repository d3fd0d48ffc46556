// Screenshots of the web app for the README: a receipt run and an email run, in Debian's
// Chromium, against a real server on an ephemeral port (the email's model is a local
// streaming endpoint, as in the tests). Run after `npm run build`: node scripts/screenshots.mjs
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createUnfoldServer, loadConfig } from '@unfold/gateway';
import { webRoot } from '@unfold/web';
import { chromium } from 'playwright-core';
import { INTAKE_ANSWER, startLocalModel } from '../packages/integration-tests/dist/local-model-endpoint.js';

const out = fileURLToPath(new URL('../docs/images/', import.meta.url));
const receipt = fileURLToPath(new URL('../packages/pipelines/fixtures/receipt.png', import.meta.url));
const email = fileURLToPath(new URL('../packages/integration-tests/fixtures/intake.eml', import.meta.url));
const width = Number(process.env.WIDTH ?? 1280);

const model = await startLocalModel(INTAKE_ANSWER, 25);
const dataDir = await mkdtemp(join(tmpdir(), 'unfold-shots-'));
const server = await createUnfoldServer({ config: loadConfig({ UNFOLD_DATA_DIR: dataDir, LOG_LEVEL: 'warn', UNFOLD_EMAIL_EXTRACTOR: 'model', UNFOLD_MODEL_BASE_URL: model.url, UNFOLD_MODEL_NAME: 'local' }), webRoot });
const url = await server.listen(0, '127.0.0.1');
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  const page = await browser.newPage({ viewport: { width, height: 900 }, deviceScaleFactor: 1 });
  for (const [name, file] of [['receipt-run', receipt], ['email-run', email]]) {
    await page.goto(url);
    await page.getByTestId('file-input').setInputFiles(file);
    await page.waitForURL(/\/runs\//);
    await page.getByTestId('outcome').waitFor({ timeout: 60_000 });
    if (name === 'receipt-run') await page.locator('[data-testid=word-boxes] rect[data-label=GRAND_TOTAL]').first().hover();
    await page.screenshot({ path: join(out, `${name}${width < 800 ? '-narrow' : ''}.png`), fullPage: true });
  }
  await page.goto(url);
  await page.getByTestId('runs-list').locator('li').first().waitFor();
  await page.screenshot({ path: join(out, `runs${width < 800 ? '-narrow' : ''}.png`) });
} finally {
  await browser.close();
  await server.close();
  await model.close();
  await rm(dataDir, { recursive: true, force: true });
}
