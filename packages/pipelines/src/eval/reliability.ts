import type { ConfidenceSample } from '../calibration/confidence-calibration.js';

/** Claims whose confidence fell in `[from, to)` (the last bin takes 1.0): how sure they said they were, and how often they were right. */
export interface ReliabilityBin {
  from: number;
  to: number;
  claims: number;
  mean_confidence: number;
  share_right: number;
}

export interface Reliability {
  bins: ReliabilityBin[];
  /** Expected calibration error: the gap between confidence and share right, weighed by the claims in each bin. */
  ece: number;
}

const round = (value: number) => Math.round(value * 1000) / 1000;

/** A reliability table over equal-width confidence bins; empty bins are left out. */
export function reliabilityOf(samples: readonly ConfidenceSample[], binCount = 20): Reliability {
  const bins = Array.from({ length: binCount }, (_, index) => ({ from: index / binCount, to: (index + 1) / binCount, claims: 0, confidence: 0, right: 0 }));
  for (const { confidence, correct } of samples) {
    const bin = bins[Math.min(binCount - 1, Math.max(0, Math.floor(confidence * binCount)))];
    if (!bin) continue;
    bin.claims++;
    bin.confidence += confidence;
    if (correct) bin.right++;
  }
  const filled = bins.filter((bin) => bin.claims > 0);
  const gap = filled.reduce((total, bin) => total + Math.abs(bin.confidence - bin.right), 0);
  return {
    bins: filled.map((bin) => ({ from: round(bin.from), to: round(bin.to), claims: bin.claims, mean_confidence: round(bin.confidence / bin.claims), share_right: round(bin.right / bin.claims) })),
    ece: samples.length === 0 ? 0 : round(gap / samples.length),
  };
}

/** The table as text lines: `confidence 0.95-1.00  412 claims  said 0.951  right 0.946`, then the ECE. */
export function formatReliability({ bins, ece }: Reliability): string[] {
  return [
    ...bins.map((bin) => `confidence ${bin.from.toFixed(2)}-${bin.to.toFixed(2)}  ${String(bin.claims).padStart(5)} claims  said ${bin.mean_confidence.toFixed(3)}  right ${bin.share_right.toFixed(3)}`),
    `expected calibration error ${ece.toFixed(3)}`,
  ];
}
