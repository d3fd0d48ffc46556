import type { Pipeline } from '@unfold/engine';

/** Emits `events` token events as fast as the log takes them: the saturation load. */
export const burstPipeline: Pipeline<{ events: number; size: number }> = {
  name: 'burst',
  description: 'benchmark load: many events, no pauses',
  steps: [
    {
      name: 'emit',
      async run(context) {
        const delta = 'x'.repeat(context.input.size);
        for (let index = 0; index < context.input.events; index++) {
          context.emit('extraction_token', { delta, index });
          // Yield now and then, as a real tool awaiting I/O would.
          if (index % 500 === 499) await new Promise((resolve) => setImmediate(resolve));
        }
        return null;
      },
    },
  ],
  parseInput: (input) => ({ events: Number(input['events'] ?? 1_000), size: Number(input['size'] ?? 32) }),
};
