import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runPipeline } from '@unfold/engine';
import contacts from './contacts.ts';

test('contacts finds every address, streams each as data-email, and groups them by domain', async () => {
  const run = await runPipeline(contacts, { text: 'Write to Ada@example.com, cc bob@example.com and ops@acme.io.' });

  assert.equal(run.status, 'completed');
  const emails = run.events.flatMap((event) => (event.event_type === 'data-email' ? [event.data] : []));
  assert.deepEqual(emails, [
    { address: 'Ada@example.com', at: 9 },
    { address: 'bob@example.com', at: 29 },
    { address: 'ops@acme.io', at: 49 },
  ]);
  assert.deepEqual(run.result, { count: 3, domains: { 'acme.io': ['ops@acme.io'], 'example.com': ['ada@example.com', 'bob@example.com'] } });
});

test('contacts refuses empty text before it runs', async () => {
  await assert.rejects(runPipeline(contacts, { text: '' }), { code: 'invalid_input' });
});
