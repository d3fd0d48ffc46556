import { choose, strongest, type Weights } from './choice-model.js';
import type { ParsedEmail } from './parse-email.js';
import { CANDIDATE_KIND, MODEL_FIELDS, candidatesOf, type Candidate, type ModelField, type RulePicks } from './signature-candidates.js';

/**
 * One choice model a field, and the probability its best candidate needs to be taken; a
 * threshold of null leaves the field to the rules (chosen so where they read held-back mail
 * better than the model).
 */
export type SignatureModel = { [field in ModelField]: { weights: Weights; threshold: number | null } };

/** The fields the model decides; the others keep the rules' reading. */
export const modelledFields = (model: SignatureModel): ModelField[] => MODEL_FIELDS.filter((field) => model[field].threshold !== null);

export interface ModelReading {
  field_name: ModelField;
  value: string;
  /** The model's probability that the value is the field in this message. */
  confidence: number;
  /** The features that weighed most, so a person can see why. */
  reasoning: string;
}

const explain = (weights: Weights, features: readonly string[]) =>
  strongest(weights, features)
    .map(([feature, weight]) => `${feature} ${weight > 0 ? '+' : ''}${weight.toFixed(1)}`)
    .join(', ');

/** A field's candidate values, most probable first: a value found in several spans has their probabilities summed. */
function ranked(weights: Weights, candidates: readonly Candidate[]): Array<{ text: string; p: number; features: readonly string[] }> {
  const { candidates: probabilities } = choose(
    weights,
    candidates.map((candidate) => candidate.features),
  );
  const byText = new Map<string, { text: string; p: number; features: readonly string[]; top: number }>();
  for (const [at, candidate] of candidates.entries()) {
    const p = probabilities[at] as number;
    const seen = byText.get(candidate.text);
    if (!seen) byText.set(candidate.text, { text: candidate.text, p, features: candidate.features, top: p });
    else {
      seen.p += p;
      if (p > seen.top) Object.assign(seen, { features: candidate.features, top: p });
    }
  }
  return [...byText.values()].sort((a, b) => b.p - a.p);
}

/**
 * The message's name, title, organisation, phone and e-mail address by the model: each
 * field takes its most probable value when that clears the field's threshold, and a span
 * taken by one field is not given to another (the more probable reading wins, and a field
 * left to the rules keeps the span they read).
 */
export function readSignature(email: ParsedEmail, model: SignatureModel, picks: RulePicks = {}): ModelReading[] {
  const candidates = candidatesOf(email, picks);
  const best = modelledFields(model).flatMap((field) => {
    const { weights, threshold } = model[field];
    if (threshold === null) return [];
    return ranked(
      weights,
      candidates.filter((candidate) => candidate.kind === CANDIDATE_KIND[field]),
    )
      .slice(0, 3)
      .filter(({ p }) => p >= threshold)
      .map((reading) => ({ field, ...reading }));
  }).sort((a, b) => b.p - a.p);
  // A span the rules read for a field they keep is theirs: the model gives it to no other field.
  const taken = new Set(MODEL_FIELDS.filter((field) => model[field].threshold === null).flatMap((field) => picks[field] ?? []));
  const readings = new Map<ModelField, ModelReading>();
  for (const { field, text, p, features } of best) {
    if (readings.has(field) || taken.has(text)) continue;
    taken.add(text);
    readings.set(field, { field_name: field, value: text, confidence: Math.round(p * 1000) / 1000, reasoning: `p ${p.toFixed(2)}: ${explain(model[field].weights, features)}` });
  }
  return MODEL_FIELDS.flatMap((field) => readings.get(field) ?? []);
}
