import { FUZZ_SEED } from './fuzz-settings.js';

export interface Finding {
  target: string;
  /** Position of the input in its target's seeded sequence: with the seed, enough to replay it. */
  index: number;
  input: string;
  problem: string;
}

const MAX_INPUT_CHARS = 160;

/** Shortens an input for a one-line report; lengths stay visible. */
export function describeInput(input: unknown): string {
  const shorten = (_key: string, value: unknown): unknown => {
    if (value instanceof Uint8Array) return `<${value.length} bytes ${Buffer.from(value.subarray(0, 12)).toString('hex')}…>`;
    return typeof value === 'string' && value.length > 60 ? `${value.slice(0, 40)}…(${value.length} chars)` : value;
  };
  const text = typeof input === 'string' ? input : JSON.stringify(shorten('', input), shorten);
  return text.length > MAX_INPUT_CHARS ? `${text.slice(0, MAX_INPUT_CHARS)}…(${text.length} chars)` : text;
}

/**
 * Collects every oracle violation without stopping the target, and prints them grouped:
 * one line per distinct problem with how often it happened and the first input that did it.
 */
export class FuzzReport {
  readonly findings: Finding[] = [];
  readonly counts = new Map<string, number>();

  record(target: string, index: number, input: unknown, problem: string): void {
    this.findings.push({ target, index, input: describeInput(input), problem });
  }

  count(target: string): void {
    this.counts.set(target, (this.counts.get(target) ?? 0) + 1);
  }

  get total(): number {
    let total = 0;
    for (const count of this.counts.values()) total += count;
    return total;
  }

  distinct(target?: string): Array<Finding & { times: number }> {
    const byProblem = new Map<string, Finding & { times: number }>();
    for (const finding of this.findings) {
      if (target !== undefined && finding.target !== target) continue;
      const key = `${finding.target}\u0000${finding.problem}`;
      const seen = byProblem.get(key);
      if (seen) seen.times++;
      else byProblem.set(key, { ...finding, times: 1 });
    }
    return [...byProblem.values()];
  }

  /** Every target's findings, or one target's. */
  summary(target?: string): string {
    const lines = [`fuzz seed ${FUZZ_SEED}: ${this.total} inputs (${[...this.counts].map(([name, count]) => `${name} ${count}`).join(', ')})`];
    for (const finding of this.distinct(target)) {
      lines.push(`  [${finding.target} #${finding.index}] ${finding.problem} ×${finding.times}\n      input: ${finding.input}`);
    }
    return lines.join('\n');
  }
}
