import { UnfoldError } from '@unfold/protocol';
import { sleep, type Pipeline } from '@unfold/engine';

export interface FirehoseInput {
  /** How many `extraction_token` events to emit. */
  events: number;
  /** Bytes of padding per event, to fill send buffers fast. */
  padding: number;
  /** Pause every this many events, so subscribers can join mid-run. */
  pauseEvery: number;
  pauseMs: number;
}

/** A test pipeline: one tool that emits many events as fast as the log takes them. */
export const firehosePipeline: Pipeline<FirehoseInput> = {
  name: 'firehose',
  description: 'emits many events fast (tests only)',
  steps: [
    {
      name: 'emit',
      async run(context) {
        const { events, padding, pauseEvery, pauseMs } = context.input;
        const pad = 'x'.repeat(padding);
        for (let index = 0; index < events; index++) {
          context.emit('extraction_token', { delta: pad, index });
          if (pauseEvery > 0 && (index + 1) % pauseEvery === 0) await sleep(pauseMs, context.signal);
        }
        return { emitted: events };
      },
    },
  ],
  parseInput(input) {
    const number = (key: string, fallback: number): number => {
      const value = input[key] ?? fallback;
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new UnfoldError('invalid_input', `${key} must be a whole number`);
      return value;
    };
    return { events: number('events', 100), padding: number('padding', 0), pauseEvery: number('pause_every', 0), pauseMs: number('pause_ms', 0) };
  },
  storedInput: ({ events, padding, pauseEvery, pauseMs }) => ({ events, padding, pause_every: pauseEvery, pause_ms: pauseMs }),
};
