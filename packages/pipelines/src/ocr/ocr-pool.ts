import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import type { Worker as NodeWorker } from 'node:worker_threads';
import { UnfoldError } from '@unfold/protocol';
import { createWorker, OEM, PSM, type Worker } from 'tesseract.js';
import type { ReceiptWord } from '../receipt/receipt-words.js';

const require = createRequire(import.meta.url);
/** The English model ships in an npm package: nothing is downloaded at run time. */
const ENGLISH = require('@tesseract.js-data/eng') as { langPath: string; gzip: boolean };

/** The worker thread tesseract.js runs the model in; its crash must not become the process's. */
type WorkerThread = Pick<NodeWorker, 'on' | 'once'>;

interface PoolWorker {
  worker: Worker;
  /** The job it is reading, if any. */
  job: Job | undefined;
}

interface Job {
  image: Buffer;
  onProgress: (progress: number) => void;
  resolve(words: ReceiptWord[]): void;
  reject(error: unknown): void;
}

interface TesseractWord {
  text: string;
  confidence: number;
  bbox: { x0: number; y0: number; x1: number; y1: number };
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * A fixed pool of tesseract.js workers, created on demand and reused: loading the model
 * costs far more than reading one receipt. Jobs queue when every worker is busy. A worker
 * whose thread dies is dropped with its job failed, and the next job gets a fresh one.
 */
export class OcrPool {
  private readonly live = new Set<PoolWorker>();
  private idle: PoolWorker[] = [];
  private readonly queue: Job[] = [];
  private spawning = 0;
  /** Bumped by close: a worker that finishes loading for an older generation is terminated. */
  private generation = 0;

  constructor(readonly size: number = Math.max(1, Math.min(4, availableParallelism()))) {}

  /** Live worker threads (idle or busy), for tests and diagnostics. */
  get workerCount(): number {
    return this.live.size;
  }

  /** Reads the words off an image; `signal` gives the job up (it rejects with the signal's reason). */
  recognize(image: Buffer, onProgress: (progress: number) => void, signal?: AbortSignal): Promise<ReceiptWord[]> {
    return new Promise<ReceiptWord[]>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const job: Job = { image, onProgress, resolve, reject };
      signal?.addEventListener('abort', () => this.abandon(job, signal.reason), { once: true });
      this.queue.push(job);
      this.pump();
    });
  }

  /** Terminates the workers; queued and running jobs are refused, and no job reaches a terminated worker. */
  async close(): Promise<void> {
    this.generation++;
    this.spawning = 0;
    const workers = [...this.live];
    this.live.clear();
    this.idle = [];
    const cancelled = new UnfoldError('cancelled', 'the OCR pool was closed');
    for (const job of this.queue.splice(0)) job.reject(cancelled);
    for (const entry of workers) entry.job?.reject(cancelled);
    await Promise.all(workers.map((entry) => entry.worker.terminate()));
  }

  private pump(): void {
    for (let entry = this.idle.pop(); entry; entry = this.idle.pop()) {
      const job = this.queue.shift();
      if (!job) {
        this.idle.push(entry);
        break;
      }
      void this.read(entry, job);
    }
    while (this.spawning < this.queue.length && this.live.size + this.spawning < this.size) this.spawn();
  }

  private spawn(): void {
    const generation = this.generation;
    const entry: PoolWorker = { worker: undefined as unknown as Worker, job: undefined };
    this.spawning++;
    createOcrWorker((progress) => entry.job?.onProgress(progress)).then(
      (worker) => {
        if (generation !== this.generation) return void worker.terminate();
        this.spawning--;
        entry.worker = worker;
        this.live.add(entry);
        // tesseract.js leaves its thread without listeners: an uncaught error in the model
        // (a WASM abort on a hostile image) would be an unhandled 'error' event here.
        const thread = (worker as unknown as { worker: WorkerThread }).worker;
        thread.on('error', (error) => this.lost(entry, error));
        thread.once('exit', () => this.lost(entry, undefined));
        this.idle.push(entry);
        this.pump();
      },
      (error: unknown) => {
        if (generation !== this.generation) return;
        this.spawning--;
        // Without a model no job can run: the one this worker was for fails instead of waiting forever.
        this.queue.shift()?.reject(new UnfoldError('internal_error', `the OCR engine could not start: ${messageOf(error)}`));
        this.pump();
      },
    );
  }

  private async read(entry: PoolWorker, job: Job): Promise<void> {
    entry.job = job;
    try {
      const result = await entry.worker.recognize(job.image, {}, { blocks: true, text: false });
      job.resolve(toWords(result.data.blocks ?? []));
    } catch (error) {
      job.reject(new UnfoldError('invalid_image', `OCR could not read the image: ${messageOf(error)}`));
    }
    // Lost or closed meanwhile: the worker is gone and its job already failed.
    if (entry.job !== job || !this.live.has(entry)) return;
    entry.job = undefined;
    this.idle.push(entry);
    this.pump();
  }

  /**
   * tesseract.js cannot stop a recognition midway, and a hostile image can keep a worker
   * busy for minutes: a job given up on takes its worker along, and the next job gets a
   * fresh one instead of waiting behind it.
   */
  private abandon(job: Job, reason: unknown): void {
    job.reject(reason);
    const queued = this.queue.indexOf(job);
    if (queued >= 0) this.queue.splice(queued, 1);
    const entry = [...this.live].find((candidate) => candidate.job === job);
    if (!entry) return;
    this.live.delete(entry);
    entry.job = undefined;
    void entry.worker.terminate();
    this.pump();
  }

  /** A worker's thread died: its job fails, and a waiting job gets a replacement worker. */
  private lost(entry: PoolWorker, error: Error | undefined): void {
    if (!this.live.delete(entry)) return;
    this.idle = this.idle.filter((other) => other !== entry);
    entry.job?.reject(new UnfoldError('invalid_image', `the OCR engine stopped while reading the image${error ? `: ${error.message}` : ''}`));
    entry.job = undefined;
    this.pump();
  }
}

async function createOcrWorker(onProgress: (progress: number) => void): Promise<Worker> {
  const worker = await createWorker('eng', OEM.LSTM_ONLY, {
    langPath: ENGLISH.langPath,
    gzip: ENGLISH.gzip,
    cacheMethod: 'none',
    logger: (message: { status: string; progress: number }) => {
      if (message.status === 'recognizing text') onProgress(message.progress);
    },
    // Without a handler tesseract.js rethrows a failed job from its message listener, out
    // of reach of any caller (a truncated JPEG killed the process). The job's own promise
    // already rejects with the same error, and that is where it is handled.
    errorHandler: () => undefined,
  });
  // Automatic page segmentation reads SROIE receipts best (measured: F1 0.53 exact,
  // 0.64 normalised, against 0.51/0.59 with tesseract.js's single-block default).
  await worker.setParameters({ tessedit_pageseg_mode: PSM.AUTO, debug_file: '/dev/null' });
  return worker;
}

type Blocks = NonNullable<Awaited<ReturnType<Worker['recognize']>>['data']['blocks']>;

function toWords(blocks: Blocks): ReceiptWord[] {
  const words: ReceiptWord[] = [];
  let lineId = 0;
  for (const block of blocks) {
    for (const paragraph of block.paragraphs) {
      for (const line of paragraph.lines) {
        for (const word of line.words as TesseractWord[]) {
          if (word.text.trim() === '') continue;
          words.push({
            word_id: words.length,
            line_id: lineId,
            text: word.text,
            bounding_box: { x: word.bbox.x0, y: word.bbox.y0, width: word.bbox.x1 - word.bbox.x0, height: word.bbox.y1 - word.bbox.y0 },
            confidence: Math.max(0, Math.min(1, word.confidence / 100)),
          });
        }
        lineId++;
      }
    }
  }
  return words;
}
