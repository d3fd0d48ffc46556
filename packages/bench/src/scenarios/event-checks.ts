import { checkedEventDraft } from '@unfold/engine';
import { z } from 'zod';

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/** Nanoseconds per call of `make`, median of the rounds after the first (V8 warming up). */
function perCall(make: (index: number) => unknown, rounds: number, calls: number): number {
  const results: number[] = [];
  let sink: unknown;
  for (let round = 0; round < rounds; round++) {
    const started = process.hrtime.bigint();
    for (let index = 0; index < calls; index++) sink = make(index);
    results.push(Number(process.hrtime.bigint() - started) / calls);
  }
  if (sink === undefined) throw new Error('nothing was made');
  return Math.round(median(results.slice(1)));
}

const pipeline = { name: 'bench', events: { 'data-total': z.object({ amount: z.number(), currency: z.string() }) } };
const words = Array.from({ length: 80 }, (_, index) => ({ word_id: index, line_id: index >> 3, text: 'TOTAL', box: [10, 20, 30, 12] as [number, number, number, number], confidence: 0.9 }));

/**
 * What checking a tool's events costs (a result event against its schema, a custom one
 * against its pipeline's, as JSON), in this process, against building the same event
 * unchecked as the engine did before: the price of `invalid_event` on every emit.
 */
export function eventCheckCost(options: { rounds: number; calls: number }) {
  const { rounds, calls } = options;
  return {
    token_ns: { unchecked: perCall((index) => ({ event_type: 'extraction_token', delta: 'ab', index }), rounds, calls), checked: perCall((index) => checkedEventDraft(pipeline, 'extraction_token', { delta: 'ab', index }), rounds, calls) },
    custom_ns: { unchecked: perCall((index) => ({ event_type: 'data-total', data: { amount: index, currency: 'EUR' } }), rounds, calls), checked: perCall((index) => checkedEventDraft(pipeline, 'data-total', { amount: index, currency: 'EUR' }), rounds, calls) },
    receipt_words_ns: { unchecked: perCall(() => ({ event_type: 'receipt_words', words }), rounds, calls / 100), checked: perCall(() => checkedEventDraft(pipeline, 'receipt_words', { words }), rounds, calls / 100) },
  };
}
