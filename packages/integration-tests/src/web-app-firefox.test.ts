import { existsSync } from 'node:fs';
import { webRoot } from '@unfold/web';
import puppeteer, { type Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './test-server.js';

const FIREFOX = '/usr/bin/firefox-esr';

/**
 * The same app in Debian's Firefox ESR, driven over WebDriver BiDi (puppeteer-core: the
 * stock Firefox speaks BiDi; Playwright would need its own patched Firefox build).
 */
describe('web app in Firefox', () => {
  let server: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    if (!existsSync(FIREFOX)) throw new Error(`${FIREFOX} is missing: apt-get install firefox-esr (.ci/run does)`);
    server = await startTestServer({}, { webRoot });
    browser = await puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX, headless: true });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.cleanup();
  });

  it('starts a demo run and shows every tool done and every event once', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/`);
    await page.locator('::-p-text(Start a demo run)').click();
    await page.waitForSelector('[data-testid=outcome]', { timeout: 15_000 });
    const statuses = await page.$$eval('[data-testid=tool]', (tools) => tools.map((tool) => tool.getAttribute('data-status')));
    expect(statuses).toEqual(['completed', 'completed', 'completed', 'completed', 'completed']);
    expect(await page.$eval('[data-testid=event-count]', (element) => element.textContent)).toMatch(/^(\d+) events · seq 1–\1 · gapless$/);
    await page.close();
  });

  it('extracts a pasted email and shows its fields', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/`);
    await page.type('#email-text', 'Hi,\n\nThanks,\nKim Lee\nSenior Analyst\nAcme Corp.\n(713) 555-0100');
    await page.locator('::-p-text(Extract this email)').click();
    await page.waitForSelector('[data-testid=outcome]', { timeout: 15_000 });
    expect(await page.$eval('[data-field=candidate_name] dd', (element) => element.textContent)).toBe('Kim Lee');
    expect(await page.$eval('[data-field=job_title] dd', (element) => element.textContent)).toBe('Senior Analyst');
    await page.close();
  });
});
