import { isTerminalEventType, type UnfoldEvent } from '@unfold/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { followRun } from './follow-run.js';
import type { EventLog, Store } from './store.js';
import { STORES, token } from './testing/store-fixtures.js';

/** Fixed so a failure replays exactly; fast-check prints the seed and path of any counterexample. */
const SEED = Number(process.env['UNFOLD_PROPERTY_SEED'] ?? 20_261_130);

const terminal = { event_type: 'processing_completed' as const, pipeline: 'demo', duration_ms: 1, result: null };
/** Every third event is progress, the rest tokens: a subscriber filtering by type sees gaps in seq. */
const isProgress = (seq: number) => seq % 3 === 0;
const eventAt = (seq: number) => (isProgress(seq) ? { event_type: 'tool_progress' as const, pipeline: 'demo', tool_name: 't', status: 'running' as const, progress: seq } : token(seq));

/**
 * A run's producer: events already in the log when the test starts, then bursts appended
 * in one synchronous go each (as a tool's callback does), then the terminal event.
 */
const runPlanArb = fc.record({ prefill: fc.nat(10), bursts: fc.array(fc.integer({ min: 1, max: 6 }), { maxLength: 6 }) });

/**
 * A subscriber: where it starts (a fraction of the prefilled log), small replay pages so the
 * hand-over happens mid-history, progress events only or all, connections it drops after so
 * many events (resuming from the last seq it holds), or leaving for good.
 */
const subscriberPlanArb = fc.record({
  run: fc.nat(),
  start: fc.double({ min: 0, max: 1, noNaN: true }),
  pageSize: fc.integer({ min: 1, max: 4 }),
  maxPending: fc.integer({ min: 1, max: 8 }),
  pausesReplay: fc.boolean(),
  progressOnly: fc.boolean(),
  drops: fc.array(fc.integer({ min: 1, max: 8 }), { maxLength: 3 }),
  leaveAfter: fc.option(fc.integer({ min: 1, max: 30 }), { nil: undefined }),
});

type SubscriberPlan = typeof subscriberPlanArb extends fc.Arbitrary<infer T> ? T : never;

/**
 * The store as the scheduler sees it: every read answers when the scheduler says, so
 * appends land between a replay page being read and being handed out, and between the
 * position checks and the first page.
 */
function scheduledStore(store: Store, scheduler: fc.Scheduler): Store {
  const real = store.events;
  const events: EventLog = {
    epoch: real.epoch,
    append: (runId, event) => real.append(runId, event),
    read: (runId, after, limit) => scheduler.schedule(real.read(runId, after, limit), `read ${runId} after ${after}`),
    lastSeq: (runId) => scheduler.schedule(real.lastSeq(runId), `lastSeq ${runId}`),
    firstSeq: (runId) => scheduler.schedule(real.firstSeq(runId), `firstSeq ${runId}`),
    onAppend: (runId, listener) => real.onAppend(runId, listener),
  };
  return { ...store, events };
}

/** Follows a run as a client does: on each drop it follows again from the last seq it holds. */
function subscriber(store: Store, scheduler: fc.Scheduler, runId: string, after: number, plan: SubscriberPlan) {
  const received: UnfoldEvent[] = [];
  const problems: string[] = [];
  const drops = [...plan.drops];
  let finished = false;
  const connect = (from: number): void => {
    let sinceConnect = 0;
    const follow = followRun(
      store,
      runId,
      { after: from, epoch: store.events.epoch, pageSize: plan.pageSize, maxPending: plan.maxPending, ...(plan.progressOnly ? { types: new Set(['tool_progress'] as const) } : {}) },
      {
        event(event) {
          received.push(event);
          sinceConnect++;
          if (isTerminalEventType(event.event_type)) finished = true;
          else if (plan.leaveAfter !== undefined && received.length >= plan.leaveAfter) {
            follow.stop();
            finished = true;
          } else if (drops.length > 0 && sinceConnect >= (drops[0] as number)) {
            drops.shift();
            follow.stop();
            void scheduler.schedule(Promise.resolve(), `reconnect ${runId}`).then(() => connect(event.seq));
          }
        },
        resync(frame) {
          problems.push(`resync ${frame.reason}`);
          finished = true;
        },
        error(error) {
          problems.push(`error ${String(error)}`);
          finished = true;
        },
        ...(plan.pausesReplay ? { backpressure: () => scheduler.schedule(Promise.resolve(), `pause ${runId}`) } : {}),
      },
    );
  };
  return { received, problems, connect: () => connect(after), get finished() { return finished; } };
}

describe.each(STORES)('event log and followRun over the %s store (property)', (_name, open) => {
  it('hands every subscriber every event it asked for once, in order, without gaps, terminal last, across appends, pages, filters, drops and resumes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), fc.array(runPlanArb, { minLength: 1, maxLength: 3 }), fc.array(subscriberPlanArb, { minLength: 1, maxLength: 4 }), async (scheduler, runs, subscriberPlans) => {
        const base = await open();
        try {
          const runIds = runs.map((_run, index) => `run-${index}`);
          for (const [index, run] of runs.entries()) for (let seq = 1; seq <= run.prefill; seq++) await base.events.append(runIds[index] as string, eventAt(seq));
          const store = scheduledStore(base, scheduler);

          const subscribers = subscriberPlans.map((plan) => {
            const runIndex = plan.run % runs.length;
            const after = Math.floor(plan.start * (runs[runIndex]?.prefill ?? 0));
            const follower = subscriber(store, scheduler, runIds[runIndex] as string, after, plan);
            // Each subscribes at a moment the scheduler picks: before, between or after bursts.
            void scheduler.schedule(Promise.resolve(), `subscribe ${runIds[runIndex]}`).then(follower.connect);
            return { follower, after, total: (runs[runIndex]?.prefill ?? 0) + (runs[runIndex]?.bursts.reduce((sum, size) => sum + size, 0) ?? 0) + 1, plan };
          });
          const producers = runs.map(async (run, index) => {
            const runId = runIds[index] as string;
            let seq = run.prefill;
            for (const size of run.bursts) {
              await scheduler.schedule(Promise.resolve(), `burst of ${size} on ${runId}`);
              await Promise.all(Array.from({ length: size }, () => base.events.append(runId, eventAt(++seq))));
            }
            await scheduler.schedule(Promise.resolve(), `terminal on ${runId}`);
            await base.events.append(runId, terminal);
          });

          // The SQLite log commits on a microtask the scheduler does not own: let it run between rounds.
          for (let round = 0; round < 50 && (scheduler.count() > 0 || subscribers.some(({ follower }) => !follower.finished)); round++) {
            await scheduler.waitIdle();
            await new Promise((resolve) => setTimeout(resolve, 0));
          }
          await Promise.all(producers);

          for (const { follower, after, total, plan } of subscribers) {
            const wanted = Array.from({ length: total - after }, (_unused, index) => after + index + 1).filter((seq) => !plan.progressOnly || isProgress(seq) || seq === total);
            const expected = plan.leaveAfter === undefined ? wanted : wanted.slice(0, plan.leaveAfter);
            const reachesEnd = expected.at(-1) === total;
            expect(follower.problems).toEqual([]);
            expect(follower.received.map((event) => event.seq)).toEqual(expected);
            if (reachesEnd) expect(follower.received.at(-1)?.event_type).toBe('processing_completed');
            expect(follower.received.filter((event) => isTerminalEventType(event.event_type)).length).toBe(reachesEnd ? 1 : 0);
          }
        } finally {
          await base.close();
        }
      }),
      { seed: SEED, numRuns: 150 },
    );
  }, 120_000);
});
