import { EVENT_TYPES } from '@unfold/protocol';
import fc from 'fast-check';
import { oddJsonTextArb, unicodeStringArb, validRunIdArb, weirdValueArb } from './weird-values.js';

/** One WebSocket message a client sends. */
export type FuzzFrame = { kind: 'text'; text: string } | { kind: 'binary'; bytes: Uint8Array };

const MESSAGE_TYPES = ['subscribe', 'unsubscribe', 'watch_runs', 'unwatch_runs', 'ping', 'process_email'] as const;
const ODD_EVENT_TYPES = ['nope', '', 'Processing_Completed'];

/**
 * Messages of a real type with fields right, wrong or missing: the server must validate
 * every one. `runIds` are runs that exist, so some subscriptions really replay.
 */
function typedMessageArb(runIds: readonly string[]) {
  const field = (valid: fc.Arbitrary<unknown>) => fc.oneof({ arbitrary: valid, weight: 3 }, { arbitrary: weirdValueArb, weight: 1 });
  return fc.record(
    {
      type: fc.oneof({ arbitrary: fc.constantFrom(...MESSAGE_TYPES), weight: 5 }, { arbitrary: weirdValueArb, weight: 1 }),
      run_id: field(runIds.length > 0 ? fc.oneof(fc.constantFrom(...runIds), validRunIdArb) : validRunIdArb),
      after: field(fc.nat({ max: 50 })),
      types: field(fc.array(fc.constantFrom(...EVENT_TYPES, ...ODD_EVENT_TYPES), { maxLength: 4 })),
      epoch: field(unicodeStringArb),
      data: field(fc.record({ raw: unicodeStringArb, body: unicodeStringArb, subject: unicodeStringArb }, { requiredKeys: [] })),
      extra: weirdValueArb,
    },
    { requiredKeys: ['type'] },
  );
}

/** Messages exactly as the protocol allows them, so the paths past validation are fuzzed too. */
function validMessageArb(runIds: readonly string[]) {
  const runId = runIds.length > 0 ? fc.oneof(fc.constantFrom(...runIds), validRunIdArb) : validRunIdArb;
  return fc.oneof(
    fc.record(
      { type: fc.constant('subscribe'), run_id: runId, after: fc.oneof(fc.nat(30), fc.constant(Number.MAX_SAFE_INTEGER)), types: fc.array(fc.constantFrom(...EVENT_TYPES), { maxLength: 3 }), epoch: fc.string({ maxLength: 64 }) },
      { requiredKeys: ['type', 'run_id'] },
    ),
    fc.record({ type: fc.constant('unsubscribe'), run_id: runId }),
    fc.constantFrom({ type: 'watch_runs' }, { type: 'unwatch_runs' }, { type: 'ping' }),
    fc.record({ type: fc.constant('process_email'), data: fc.record({ subject: fc.string({ maxLength: 30 }), body: fc.string({ maxLength: 60 }) }) }),
  );
}

export function frameArb(runIds: readonly string[]): fc.Arbitrary<FuzzFrame> {
  const text = (arb: fc.Arbitrary<string>) => arb.map((value): FuzzFrame => ({ kind: 'text', text: value }));
  return fc.oneof(
    { arbitrary: text(typedMessageArb(runIds).map((message) => JSON.stringify(message))), weight: 6 },
    { arbitrary: text(validMessageArb(runIds).map((message) => JSON.stringify(message))), weight: 3 },
    { arbitrary: text(weirdValueArb.map((value) => JSON.stringify(value) ?? 'null')), weight: 3 },
    { arbitrary: text(oddJsonTextArb), weight: 2 },
    { arbitrary: text(unicodeStringArb), weight: 2 },
    { arbitrary: text(fc.constantFrom('null', '[]', '{}', '""', 'ping', 'PING', ' ping', 'pong', '{"type":null}', '{"type":"subscribe"}', '{"type":"ping","x":1}')), weight: 2 },
    { arbitrary: fc.uint8Array({ maxLength: 300 }).map((bytes): FuzzFrame => ({ kind: 'binary', bytes })), weight: 1 },
    { arbitrary: text(fc.integer({ min: 65_000, max: 200_000 }).map((length) => JSON.stringify({ type: 'subscribe', run_id: 'x', epoch: 'e'.repeat(length) }))), weight: 1 },
  );
}
