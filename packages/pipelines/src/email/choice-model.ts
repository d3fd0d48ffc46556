/**
 * A conditional logit (a softmax over the candidates of one message, plus "none of them"),
 * over named binary features, hand-written: the model is a few hundred weights, and the
 * libraries on npm train one probability per example, not a choice among a message's
 * candidates. Training is full-batch gradient descent with AdaGrad steps (a rare feature
 * moves as fast as a common one) in a fixed order, so the same examples always give the
 * same weights.
 */

/** Weights by feature name; `none` scores the choice of no candidate. A feature never seen in training weighs nothing. */
export type Weights = Record<string, number>;

/** One message's candidates for a field (their features), and which of them are right. */
export interface Choice {
  candidates: ReadonlyArray<readonly string[]>;
  right: readonly boolean[];
}

export interface TrainingOptions {
  epochs?: number;
  learningRate?: number;
  /** L2 penalty: keeps a feature seen a handful of times from deciding alone. */
  l2?: number;
}

const NONE = 'none';

const score = (weights: Weights, features: readonly string[]) => features.reduce((sum, feature) => sum + (weights[feature] ?? 0), 0);

/** The probability of each candidate being the field, and of none being it; they sum to 1. */
export function choose(weights: Weights, candidates: ReadonlyArray<readonly string[]>): { none: number; candidates: number[] } {
  const scores = [weights[NONE] ?? 0, ...candidates.map((features) => score(weights, features))];
  const top = Math.max(...scores);
  const exps = scores.map((value) => Math.exp(value - top));
  const total = exps.reduce((sum, value) => sum + value, 0);
  const probabilities = exps.map((value) => value / total);
  return { none: probabilities[0] as number, candidates: probabilities.slice(1) };
}

/** The features that raised or lowered this candidate most, strongest first, with their weights. */
export function strongest(weights: Weights, features: readonly string[], count = 3): Array<[feature: string, weight: number]> {
  return [...new Set(features)]
    .map((feature): [string, number] => [feature, weights[feature] ?? 0])
    .filter(([, weight]) => weight !== 0)
    .sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]) || a[0].localeCompare(b[0]))
    .slice(0, count);
}

/**
 * Maximises the likelihood that each message's choice is a right candidate (any of them,
 * when several are right), or none when none is.
 */
export function train(choices: readonly Choice[], options: TrainingOptions = {}): Weights {
  const { epochs = 300, learningRate = 0.5, l2 = 1e-3 } = options;
  const names = [...new Set([NONE, ...choices.flatMap((choice) => choice.candidates.flat())])].sort();
  const index = new Map(names.map((name, at) => [name, at]));
  const none = index.get(NONE) as number;
  // Each option as the indices of its features; option 0 of a choice is "none".
  const rows = choices.map((choice) => [[none], ...choice.candidates.map((features) => [...new Set(features.map((feature) => index.get(feature) as number))])]);
  const targets = choices.map((choice) => [!choice.right.some(Boolean), ...choice.right]);
  const weights = new Float64Array(names.length);
  const gradient = new Float64Array(names.length);
  const squared = new Float64Array(names.length);
  const n = Math.max(1, choices.length);
  for (let epoch = 0; epoch < epochs; epoch++) {
    gradient.fill(0);
    for (const [at, options] of rows.entries()) {
      const scores = options.map((features) => features.reduce((sum, feature) => sum + (weights[feature] as number), 0));
      const top = Math.max(...scores);
      const exps = scores.map((value) => Math.exp(value - top));
      const total = exps.reduce((sum, value) => sum + value, 0);
      const target = targets[at] as boolean[];
      const rightMass = exps.reduce((sum, value, option) => sum + (target[option] ? value : 0), 0);
      // d(−log P(right))/d score = P(option) − P(option | right).
      for (const [option, features] of options.entries()) {
        const error = (exps[option] as number) / total - (target[option] ? (exps[option] as number) / rightMass : 0);
        for (const feature of features) gradient[feature] = (gradient[feature] as number) + error;
      }
    }
    for (let feature = 0; feature < weights.length; feature++) {
      const step = (gradient[feature] as number) / n + l2 * (weights[feature] as number);
      squared[feature] = (squared[feature] as number) + step * step;
      weights[feature] = (weights[feature] as number) - (learningRate * step) / (Math.sqrt(squared[feature] as number) + 1e-8);
    }
  }
  // Rounded so the shipped file stays small and reads the same on every machine.
  return Object.fromEntries(names.map((name, at) => [name, Math.round((weights[at] as number) * 1000) / 1000]).filter(([, weight]) => weight !== 0));
}
