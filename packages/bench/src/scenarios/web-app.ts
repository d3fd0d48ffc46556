import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { webRoot } from '@unfold/web';
import { chromium } from 'playwright-core';
import type { Child } from '../child-process.js';
import { postRun } from '../subscribers.js';

export interface WebAppResult {
  /** The JavaScript the page loads first, gzipped. */
  initial_js_gzip_kb: number;
  /** First contentful paint of a finished run's page, and of the runs page as the baseline. */
  first_paint_ms: { run_page: number; runs_page: number };
  /** Frame times while 10,000 events stream into an open run page, then while its list scrolls. */
  streaming_frames_ms: { p50: number; p95: number; p99: number; max: number; frames: number; long_frames: number };
  scrolling_frames_ms: { p50: number; p95: number; p99: number; max: number; frames: number; long_frames: number };
  /** From the run's creation to the page showing all its events. */
  all_events_shown_ms: number;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
function frameSummary(frames: number[]) {
  const sorted = [...frames].sort((a, b) => a - b);
  const round = (value: number) => Math.round(value * 10) / 10;
  return { p50: round(percentile(sorted, 50)), p95: round(percentile(sorted, 95)), p99: round(percentile(sorted, 99)), max: round(sorted.at(-1) ?? 0), frames: frames.length, long_frames: frames.filter((frame) => frame > 50).length };
}

/** Records requestAnimationFrame intervals in the page until `stop` is set. */
const RECORD_FRAMES = `(() => {
  window.__frames = [];
  let last = performance.now();
  const tick = (now) => { window.__frames.push(now - last); last = now; if (!window.__stopFrames) requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
})()`;

/**
 * The web app in Debian's Chromium against the benchmark server: its initial bundle, first
 * paint of a run page, and frame times while a 10,000-event run streams in and while its
 * (virtualised) event list is scrolled.
 */
export async function webAppFigures(unfold: Child): Promise<WebAppResult> {
  const assets = join(webRoot, 'assets');
  const html = await readFile(join(webRoot, 'index.html'), 'utf8');
  const initial = [...html.matchAll(/src="\/assets\/([^"]+\.js)"/g)].map((match) => match[1] as string);
  const sizes = await Promise.all((await readdir(assets)).filter((file) => initial.includes(file)).map(async (file) => gzipSync(await readFile(join(assets, file))).length));
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const paint = async (path: string) => {
      await page.goto(`${unfold.url}${path}`, { waitUntil: 'load' });
      return page.evaluate(() => new Promise<number>((resolve) => {
        const read = () => {
          const entry = performance.getEntriesByName('first-contentful-paint')[0];
          if (entry) resolve(Math.round(entry.startTime));
          else setTimeout(read, 20);
        };
        read();
      }));
    };

    // A run page open before its 10,000 events stream in.
    const runId = `web-bench-${Date.now()}`;
    await page.goto(`${unfold.url}/runs/${runId}`);
    await page.getByTestId('connection').getByText(/live|connecting/).waitFor();
    await page.evaluate(RECORD_FRAMES);
    const started = performance.now();
    await postRun(unfold.url, { pipeline: 'burst', run_id: runId, input: { events: 10_000, size: 32 } });
    // 10,000 tokens, the tool's start and end, the run's start and end.
    await page.getByTestId('event-count').getByText(/^10004 events/).waitFor({ timeout: 120_000 });
    const allShown = performance.now() - started;
    const streaming = (await page.evaluate('window.__stopFrames = true, window.__frames')) as number[];

    // Scrolling the finished run's list from top to bottom.
    await page.evaluate(`window.__stopFrames = false; ${RECORD_FRAMES}`);
    await page.locator('.event-scroller').evaluate(
      (element) =>
        new Promise<void>((resolve) => {
          const step = () => {
            element.scrollTop += 600;
            if (element.scrollTop + element.clientHeight < element.scrollHeight) requestAnimationFrame(step);
            else resolve();
          };
          step();
        }),
    );
    const scrolling = (await page.evaluate('window.__stopFrames = true, window.__frames')) as number[];

    const runPagePaint = await paint(`/runs/${runId}`);
    const runsPagePaint = await paint('/');
    return {
      initial_js_gzip_kb: Math.round(sizes.reduce((sum, size) => sum + size, 0) / 102.4) / 10,
      first_paint_ms: { run_page: runPagePaint, runs_page: runsPagePaint },
      streaming_frames_ms: frameSummary(streaming.slice(1)),
      scrolling_frames_ms: frameSummary(scrolling.slice(1)),
      all_events_shown_ms: Math.round(allShown),
    };
  } finally {
    await browser.close();
  }
}
