/**
 * The fuzz suite's knobs, from the environment so CI and a person reproducing a failure
 * run the very same inputs: a fixed seed by default, overridable with UNFOLD_FUZZ_SEED.
 */
function integerFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got ${JSON.stringify(raw)}`);
  return value;
}

export const FUZZ_SEED = integerFromEnv('UNFOLD_FUZZ_SEED', 20_261_130);
/** Inputs across all targets; each target takes its share. */
export const FUZZ_RUNS = integerFromEnv('UNFOLD_FUZZ_RUNS', 10_000);

/** A target's share of FUZZ_RUNS, at least one input, at most `cap` (for costly inputs such as images). */
export function inputsFor(share: number, cap = Number.POSITIVE_INFINITY): number {
  return Math.max(1, Math.min(cap, Math.round(FUZZ_RUNS * share)));
}
