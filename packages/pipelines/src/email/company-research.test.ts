import { runInMemory } from '@unfold/engine';
import type { UnfoldEvent } from '@unfold/protocol';
import { describe, expect, it } from 'vitest';
import { domainNameProvider, researchCompany, type ResearchProvider } from './company-research.js';
import { createEmailPipeline } from './email-pipeline.js';

const email = {
  sender_name: 'Dana Whitfield',
  sender_email: 'dana@northwind-energy.com',
  subject: 'Data role',
  body: 'Hi,\n\nThanks,\nDana Whitfield\nLead Data Engineer\nNorthwind Energy Inc.\nDirect: (713) 555-0142',
};
const query = { domain: 'northwind-energy.com', sender_name: 'Dana', signature: '' };
const never: ResearchProvider = { name: 'never', research: () => new Promise(() => undefined) };
const sure: ResearchProvider = { name: 'registry', research: async () => ({ company_name: 'Northwind Energy Holdings, Inc.', industry: 'Energy', confidence: 0.95, source: 'company registry' }) };

describe('company research', () => {
  it('reads a company name from the sender domain offline, and nothing from free mail', async () => {
    expect(await domainNameProvider.research(query, new AbortController().signal)).toMatchObject({ company_name: 'Northwind Energy', confidence: 0.5 });
    expect(await domainNameProvider.research({ ...query, domain: undefined }, new AbortController().signal)).toBeUndefined();
  });

  it('gives up on a provider at the timeout and goes on with a low-confidence fallback', async () => {
    const outcome = await researchCompany(query, [never], { timeoutMs: 50, signal: new AbortController().signal });
    expect(outcome).toEqual({ status: 'timeout', finding: { company_name: 'Northwind Energy', website: 'https://northwind-energy.com', confidence: 0.3, source: 'sender domain (fallback)' } });
  });

  it('reports progress while it waits, and a sure finding replaces the extracted company', async () => {
    const pipeline = createEmailPipeline({ researchProviders: [sure, { name: 'slow', research: () => new Promise((resolve) => setTimeout(() => resolve(undefined), 1_200)) }], researchTimeoutMs: 3_000 });
    const { store, outcome } = await runInMemory(pipeline, email, { runId: 'r' });
    const events: UnfoldEvent[] = await store.events.read('r', 0, 500);
    const waits = events.filter((event) => event.event_type === 'tool_progress' && event.tool_name === 'research' && /still researching/.test(event.message ?? ''));
    expect(waits.length).toBeGreaterThanOrEqual(1);
    expect(events.find((event) => event.event_type === 'research_result')).toMatchObject({ status: 'found', confidence: 0.95, result: { company_name: 'Northwind Energy Holdings, Inc.' } });
    expect(outcome.terminal).toMatchObject({ result: { extracted: { company_name: 'Northwind Energy Holdings, Inc.' } } });
  });

  it('keeps the signature organisation over the offline domain guess, and never fails the run', async () => {
    const pipeline = createEmailPipeline({ researchProviders: [never], researchTimeoutMs: 30 });
    const { outcome } = await runInMemory(pipeline, email);
    expect(outcome.terminal).toMatchObject({ event_type: 'processing_completed', result: { extracted: { company_name: 'Northwind Energy Inc.' }, research: { status: 'timeout' } } });
  });
});
