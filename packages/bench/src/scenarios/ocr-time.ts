import { readdir, readFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { extname, join } from 'node:path';
import { createOcrEngine, OCR_ENGINES, type OcrEngineName } from '@unfold/pipelines';
import sharp from 'sharp';
import { percentile } from '../latency-recorder.js';

const FIXTURE = new URL('../../../pipelines/fixtures/receipt.png', import.meta.url);

/**
 * The project's rendered receipt as a phone would hand it over: enlarged to a phone
 * photo's width, on a grey table, turned a little, saved as a JPEG. Made here, so the
 * figure exists on any clone.
 */
async function phonePhotos(count: number): Promise<Buffer[]> {
  const photos: Buffer[] = [];
  for (let index = 0; index < count; index++) {
    photos.push(
      await sharp(await readFile(FIXTURE))
        .resize({ width: 1000 })
        .extend({ top: 120, bottom: 160, left: 60, right: 60, background: '#8a8a84' })
        .rotate(index % 2 === 0 ? 1.5 : -1, { background: '#8a8a84' })
        .jpeg({ quality: 85 })
        .toBuffer(),
    );
  }
  return photos;
}

async function folderImages(folder: string): Promise<Buffer[]> {
  const names = (await readdir(folder)).filter((name) => ['.jpg', '.jpeg', '.png'].includes(extname(name).toLowerCase())).sort();
  return Promise.all(names.map((name) => readFile(join(folder, name))));
}

export interface OcrTimeFigure {
  engine: OcrEngineName;
  receipts: number;
  /** Creating the engine and reading the first receipt (model loading), not counted below. */
  first_ms: number;
  wall_ms: { p50: number; p95: number; max: number };
  /** CPU of this process per receipt (all threads): less sensitive than wall time to other load on the machine. */
  cpu_ms: { p50: number; p95: number };
}

/**
 * OCR time per receipt, one receipt at a time as a user waits for one, for each engine in
 * this run on the same images: Tesseract is the baseline the default PaddleOCR is held to.
 * Images: a folder of receipt photos, or the project's rendered receipt made photo-like.
 */
export async function ocrTimePerReceipt(options: { folder?: string | undefined; count: number }): Promise<{ figures: OcrTimeFigure[]; load_before: number; load_after: number; source: string }> {
  const images = options.folder ? await folderImages(options.folder) : await phonePhotos(options.count);
  if (images.length === 0) throw new Error(`no JPEG or PNG images in ${options.folder}`);
  const loadBefore = loadavg()[0] as number;
  const figures: OcrTimeFigure[] = [];
  for (const name of OCR_ENGINES) {
    const engine = createOcrEngine(name, 1);
    try {
      let started = performance.now();
      await engine.recognize(images[0] as Buffer, () => undefined);
      const firstMs = performance.now() - started;
      const wall: number[] = [];
      const cpu: number[] = [];
      for (const image of images) {
        const cpuBefore = process.cpuUsage();
        started = performance.now();
        await engine.recognize(image, () => undefined);
        wall.push(performance.now() - started);
        const used = process.cpuUsage(cpuBefore);
        cpu.push((used.user + used.system) / 1000);
      }
      wall.sort((a, b) => a - b);
      cpu.sort((a, b) => a - b);
      const ms = (value: number) => Math.round(value);
      figures.push({ engine: name, receipts: images.length, first_ms: ms(firstMs), wall_ms: { p50: ms(percentile(wall, 50)), p95: ms(percentile(wall, 95)), max: ms(wall.at(-1) ?? 0) }, cpu_ms: { p50: ms(percentile(cpu, 50)), p95: ms(percentile(cpu, 95)) } });
    } finally {
      await engine.close();
    }
  }
  return { figures, load_before: loadBefore, load_after: loadavg()[0] as number, source: options.folder ?? `the rendered receipt as ${options.count} phone-sized JPEGs` };
}
