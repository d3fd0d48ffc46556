import { UnfoldError } from '@unfold/protocol';
import { raceAbort, sleep, withDeadline } from '@unfold/engine';
import type { ParsedEmail } from './parse-email.js';

export interface ResearchQuery {
  /** The sender's e-mail domain, e.g. `northwind-energy.com`; undefined for free-mail senders. */
  domain: string | undefined;
  sender_name: string;
  signature: string;
}

export interface ResearchFinding {
  company_name: string;
  website?: string;
  industry?: string;
  confidence: number;
  source: string;
}

/** Where company facts come from. Providers may be slow or fail; the research tool bounds them. */
export interface ResearchProvider {
  readonly name: string;
  research(query: ResearchQuery, signal: AbortSignal): Promise<ResearchFinding | undefined>;
}

const FREE_MAIL = /^(gmail|googlemail|yahoo|ymail|hotmail|outlook|live|msn|aol|icloud|me|mac|protonmail|gmx|mail|zoho)\./i;

export function researchQuery(email: ParsedEmail): ResearchQuery {
  const domain = /@([a-z0-9.-]+\.[a-z]{2,})$/i.exec(email.sender_email)?.[1]?.toLowerCase();
  return { domain: domain && !FREE_MAIL.test(domain) ? domain : undefined, sender_name: email.sender_name, signature: email.signature };
}

/** "northwind-energy.com" → "Northwind Energy": what the domain alone says, offline. */
export const domainNameProvider: ResearchProvider = {
  name: 'domain-name',
  async research(query) {
    if (!query.domain) return undefined;
    const label = query.domain.split('.').slice(-2, -1)[0] ?? '';
    const company_name = label
      .split(/[-_]/)
      .filter(Boolean)
      .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
      .join(' ');
    return company_name ? { company_name, website: `https://${query.domain}`, confidence: 0.5, source: 'sender domain' } : undefined;
  },
};

export interface ResearchOutcome {
  status: 'found' | 'fallback' | 'timeout' | 'not_found';
  finding: ResearchFinding | undefined;
}

/**
 * Asks every provider at once and keeps the most confident finding, within a hard
 * timeout; after it (or if all fail) the run goes on with the offline domain guess at
 * low confidence, as the original did. `onWait` is called each second of waiting.
 */
export async function researchCompany(
  query: ResearchQuery,
  providers: readonly ResearchProvider[],
  options: { timeoutMs: number; signal: AbortSignal; onWait?: (elapsedMs: number) => void },
): Promise<ResearchOutcome> {
  const deadline = withDeadline(options.signal, options.timeoutMs, () => new UnfoldError('tool_timeout', `research took longer than ${options.timeoutMs} ms`));
  const answered = new AbortController();
  const waiting = AbortSignal.any([deadline.signal, answered.signal]);
  const started = Date.now();
  void (async () => {
    while (!waiting.aborted) {
      await sleep(1_000, waiting).catch(() => undefined);
      if (!waiting.aborted) options.onWait?.(Date.now() - started);
    }
  })();
  const results = await Promise.all(providers.map((provider) => raceAbort(provider.research(query, deadline.signal), deadline.signal).catch(() => undefined)));
  answered.abort();
  const timedOut = deadline.signal.aborted && !options.signal.aborted;
  deadline.dispose();
  const best = results.filter((finding): finding is ResearchFinding => finding !== undefined).sort((a, b) => b.confidence - a.confidence)[0];
  if (best) return { status: timedOut ? 'timeout' : 'found', finding: best };
  const fallback = await domainNameProvider.research(query, options.signal);
  const lowConfidence = fallback ? { ...fallback, confidence: 0.3, source: `${fallback.source} (fallback)` } : undefined;
  return { status: timedOut ? 'timeout' : lowConfidence ? 'fallback' : 'not_found', finding: lowConfidence };
}
