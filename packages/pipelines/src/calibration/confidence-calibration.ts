/** One claim an extractor made, and whether the truth bore it out. */
export interface ConfidenceSample {
  field: string;
  confidence: number;
  correct: boolean;
}

import { z } from 'zod';

/**
 * Per field, the steps of a non-decreasing map from the confidence a rule gives to the share
 * of such claims that were right: `[up to this raw confidence, calibrated confidence]`, by
 * raw confidence ascending. Plain JSON, so a fitted map is printed, compared and shipped.
 */
export type Calibration = { readonly [field: string]: readonly (readonly [number, number])[] };

/** A calibration read from a file: checked, since a map that is not one would skew every confidence. */
export const calibrationSchema: z.ZodType<Calibration> = z.record(z.string(), z.array(z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)])).readonly());

/**
 * The calibrated confidence of a claim: the step its raw confidence falls in, the last step
 * above every one seen in fitting. A field never fitted keeps its raw confidence.
 */
export function calibrate(calibration: Calibration, field: string, raw: number): number {
  const steps = calibration[field];
  if (!steps || steps.length === 0) return raw;
  return (steps.find(([upTo]) => raw <= upTo) ?? steps[steps.length - 1])?.[1] ?? raw;
}

interface Block {
  upTo: number;
  right: number;
  count: number;
}

const shareRight = ({ right, count }: Block) => (right + 1) / (count + 2);

/**
 * Fits each field's map by isotonic regression (pool adjacent violators): claims sorted by
 * raw confidence are pooled into blocks whose share right rises with confidence, so a higher
 * raw confidence is never calibrated lower. A block's share counts one right and one wrong
 * claim more than it holds (Laplace), so a block of a few claims is not called certain; the
 * pooling compares those shares, so the shipped steps rise too. Written here rather than taken from a library: it is twenty lines, and the
 * npm packages for it are unmaintained.
 */
export function fitCalibration(samples: readonly ConfidenceSample[]): Calibration {
  const byField = new Map<string, ConfidenceSample[]>();
  for (const sample of samples) byField.set(sample.field, [...(byField.get(sample.field) ?? []), sample]);
  const calibration: Record<string, (readonly [number, number])[]> = {};
  for (const [field, claims] of [...byField].sort(([a], [b]) => a.localeCompare(b))) {
    const blocks: Block[] = [];
    for (const claim of [...claims].sort((a, b) => a.confidence - b.confidence)) {
      const last = blocks[blocks.length - 1];
      const block = { upTo: claim.confidence, right: claim.correct ? 1 : 0, count: 1 };
      if (last && last.upTo === claim.confidence) Object.assign(last, { right: last.right + block.right, count: last.count + 1 });
      else blocks.push(block);
      while (blocks.length > 1) {
        const top = blocks[blocks.length - 1] as Block;
        const below = blocks[blocks.length - 2] as Block;
        if (shareRight(below) < shareRight(top)) break;
        blocks.splice(-2, 2, { upTo: top.upTo, right: below.right + top.right, count: below.count + top.count });
      }
    }
    calibration[field] = blocks.map((block) => [block.upTo, Math.round(shareRight(block) * 100) / 100] as const);
  }
  return calibration;
}
