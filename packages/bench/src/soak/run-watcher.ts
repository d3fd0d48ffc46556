import { TRANSPORTS } from '@unfold/protocol';
import { randomInt, randomPick } from './chance.js';
import type { SoakTally } from './soak-tally.js';
import { StreamCheck } from './stream-check.js';
import { connect, type ConnectionPlan } from './stream-connections.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A client gives up on a run after this long (a stuck run, or a server that stopped). */
const WATCH_DEADLINE_MS = 5 * 60_000;

/**
 * What one connection of a client does: mostly read to the end; sometimes stall (stop
 * reading for a while), sometimes hang up part way and come back later.
 */
function planOf(): ConnectionPlan {
  const roll = Math.random();
  if (roll < 0.2) return { leaveAfter: randomInt(1, 20) };
  if (roll < 0.4) return { stallAfter: randomInt(1, 10), stallMs: randomInt(500, 5_000) };
  return {};
}

/**
 * One client following one run to its end: each connection on a transport picked at
 * random, resumed from the last seq it has after it leaves or the server ends it early,
 * so one run's stream can pass through all four transports. Its check joins the tally.
 */
export async function watchRun(baseUrl: string, runId: string, tally: SoakTally, options: { firstPlan?: ConnectionPlan; serverGone?: () => boolean } = {}): Promise<void> {
  const check = new StreamCheck();
  tally.watchers++;
  tally.watching++;
  const deadline = Date.now() + WATCH_DEADLINE_MS;
  for (let connections = 0; !check.finished && Date.now() < deadline && !options.serverGone?.(); connections++) {
    if (connections > 0) tally.resumes++;
    const transport = randomPick(TRANSPORTS);
    const plan = connections === 0 && options.firstPlan ? options.firstPlan : planOf();
    const end = await connect(transport, { baseUrl, runId, check, tally, plan });
    if (end === 'left') await sleep(randomInt(100, 3_000));
    if (end === 'cut') {
      tally.serverCuts++;
      await sleep(randomInt(100, 1_000));
    }
  }
  if (!check.finished && !options.serverGone?.()) tally.note(`run ${runId}: no terminal event after ${WATCH_DEADLINE_MS / 1000} s, last seq ${check.position}`);
  tally.watching--;
  tally.finish(check);
}
