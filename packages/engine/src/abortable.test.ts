import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { withDeadline } from './abortable.js';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

describe('withDeadline', () => {
  it('fires at the deadline even after a garbage collection (AbortSignal.any + timeout does not)', async () => {
    const deadline = withDeadline(new AbortController().signal, 40, () => new Error('late'));
    collectGarbage();
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(deadline.signal.aborted).toBe(true);
    expect((deadline.signal.reason as Error).message).toBe('late');
  });

  it('follows its parent, and a disposed deadline never fires', async () => {
    const parent = new AbortController();
    const followed = withDeadline(parent.signal, 10_000, () => new Error('late'));
    parent.abort(new Error('cancelled'));
    expect((followed.signal.reason as Error).message).toBe('cancelled');

    const disposed = withDeadline(new AbortController().signal, 20, () => new Error('late'));
    disposed.dispose();
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(disposed.signal.aborted).toBe(false);
  });
});
