import { definePipeline, defineTool } from '@unfold/engine';
import { z } from 'zod';

/** What a run is given: `POST /v1/runs {"pipeline": "contacts", "input": {"text": "…"}}`. */
export const contactsInput = z.object({
  text: z.string().min(1).max(100_000),
});

/** A custom event: clients watching a run see each address the moment it is found. */
const emailFound = z.object({ address: z.string(), at: z.number().int() });

const findEmails = defineTool({
  name: 'find_emails',
  input: contactsInput,
  events: { 'data-email': emailFound },
  run(ctx) {
    const found: string[] = [];
    for (const match of ctx.input.text.matchAll(/[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g)) {
      ctx.emit('data-email', { address: match[0], at: match.index });
      found.push(match[0].toLowerCase());
    }
    return found;
  },
});

const groupByDomain = defineTool({
  name: 'group_by_domain',
  input: contactsInput,
  run(ctx) {
    const addresses = [...new Set(ctx.outputs['find_emails'] as string[])].sort();
    const domains: Record<string, string[]> = {};
    for (const address of addresses) {
      const domain = address.slice(address.indexOf('@') + 1);
      (domains[domain] ??= []).push(address);
    }
    return { count: addresses.length, domains };
  },
});

export default definePipeline({
  name: 'contacts',
  description: 'text → the email addresses in it, grouped by domain',
  input: contactsInput,
  steps: [findEmails, groupByDomain],
});
