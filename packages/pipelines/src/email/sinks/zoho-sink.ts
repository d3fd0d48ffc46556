import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { UnfoldError } from '@unfold/protocol';
import type { EmailAttachment } from '../parse-email.js';
import { dealName, leadSource, type CreatedRecord, type IntakeRecord, type RecordSink } from './record-sink.js';
import { reusedRecords, type StoredDeal } from './save-intake.js';

export interface ZohoOptions {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  /** The accounts server of the CRM's data centre, e.g. https://accounts.zoho.com. */
  accountsUrl: string;
  /** Which deal each run created, so a retried run never creates a second one. */
  ledgerPath: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

interface ZohoRecordResult {
  code: string;
  status: string;
  message?: string;
  action?: 'insert' | 'update';
  details?: { id?: string };
}

const RETRYABLE = new Set([429, 500, 502, 503, 504]);

/**
 * Zoho CRM v8: the OAuth refresh-token flow, upsert Account by website (else name),
 * upsert Contact by e-mail, create the Deal. Deals have no natural key, so a local ledger
 * maps each run to the deal it made; a retry finds it there instead of creating another.
 */
export function createZohoSink(options: ZohoOptions): RecordSink {
  const fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
  const timeoutMs = options.timeoutMs ?? 15_000;
  mkdirSync(dirname(options.ledgerPath), { recursive: true });
  const ledger = new Database(options.ledgerPath);
  ledger.exec('CREATE TABLE IF NOT EXISTS zoho_deals (idempotency_key TEXT PRIMARY KEY, deal_id TEXT NOT NULL, contact_id TEXT, account_id TEXT)');
  // Attachments go up one by one after the deal; a retry uploads only those not yet there.
  ledger.exec('CREATE TABLE IF NOT EXISTS zoho_attachments (idempotency_key TEXT NOT NULL, position INTEGER NOT NULL, attachment_id TEXT NOT NULL, PRIMARY KEY (idempotency_key, position))');
  const findDeal = ledger.prepare<[string], StoredDeal>('SELECT deal_id AS id, contact_id, account_id FROM zoho_deals WHERE idempotency_key = ?');
  const recordDeal = ledger.prepare('INSERT INTO zoho_deals (idempotency_key, deal_id, contact_id, account_id) VALUES (?, ?, ?, ?)');
  const uploaded = ledger.prepare<[string, number], { attachment_id: string }>('SELECT attachment_id FROM zoho_attachments WHERE idempotency_key = ? AND position = ?');
  const recordUpload = ledger.prepare('INSERT INTO zoho_attachments (idempotency_key, position, attachment_id) VALUES (?, ?, ?)');
  let token: { value: string; apiDomain: string; expiresAt: number } | undefined;

  const call = async (url: string, init: RequestInit, what: string): Promise<Response> => {
    let response: Response;
    try {
      response = await fetchImpl(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      throw new UnfoldError('tool_failed', `Zoho did not answer ${what}: ${(error as Error).message}`, { transient: true, cause: error });
    }
    if (!response.ok) {
      const body = await response.text().catch(() => '');
      throw new UnfoldError(response.status === 401 ? 'unauthorized' : 'tool_failed', `Zoho answered ${response.status} to ${what}: ${body.slice(0, 300)}`, { transient: RETRYABLE.has(response.status) });
    }
    return response;
  };

  const accessToken = async (): Promise<{ value: string; apiDomain: string }> => {
    if (token && token.expiresAt > Date.now() + 60_000) return token;
    const form = new URLSearchParams({ refresh_token: options.refreshToken, client_id: options.clientId, client_secret: options.clientSecret, grant_type: 'refresh_token' });
    const response = await call(`${options.accountsUrl}/oauth/v2/token`, { method: 'POST', body: form }, 'the token refresh');
    const body = (await response.json()) as { access_token?: string; api_domain?: string; expires_in?: number; error?: string };
    if (!body.access_token || !body.api_domain) throw new UnfoldError('unauthorized', `Zoho refused the refresh token: ${body.error ?? 'no access token'}`);
    token = { value: body.access_token, apiDomain: body.api_domain, expiresAt: Date.now() + (body.expires_in ?? 3_600) * 1000 };
    return token;
  };

  const write = async (path: string, payload: Record<string, unknown>, what: string): Promise<ZohoRecordResult> => {
    const { value, apiDomain } = await accessToken();
    const response = await call(`${apiDomain}/crm/v8/${path}`, { method: 'POST', headers: { authorization: `Zoho-oauthtoken ${value}`, 'content-type': 'application/json' }, body: JSON.stringify(payload) }, what);
    const result = ((await response.json()) as { data?: ZohoRecordResult[] }).data?.[0];
    if (!result || result.status !== 'success' || !result.details?.id) throw new UnfoldError('tool_failed', `Zoho refused ${what}: ${result?.code ?? 'no result'} ${result?.message ?? ''}`.trim());
    return result;
  };

  /** One attachment onto the deal, as multipart `file` (Zoho's Attachments API). */
  const upload = async (dealId: string, attachment: EmailAttachment): Promise<CreatedRecord> => {
    const { value, apiDomain } = await accessToken();
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(attachment.content)], { type: attachment.content_type }), attachment.filename);
    const response = await call(`${apiDomain}/crm/v8/Deals/${dealId}/Attachments`, { method: 'POST', headers: { authorization: `Zoho-oauthtoken ${value}` }, body: form }, `attachment ${attachment.filename}`);
    const result = ((await response.json()) as { data?: ZohoRecordResult[] }).data?.[0];
    if (!result?.details?.id) throw new UnfoldError('tool_failed', `Zoho refused attachment ${attachment.filename}: ${result?.code ?? 'no result'}`);
    return { record_type: 'attachment', record_id: result.details.id, created: true };
  };

  return {
    name: 'zoho',
    async save(record: IntakeRecord, idempotencyKey: string, attachments: readonly EmailAttachment[] = []): Promise<CreatedRecord[]> {
      const done = findDeal.get(idempotencyKey);
      const { deal, records } = done ? { deal: done, records: reusedRecords(done) } : await createRecords(record, idempotencyKey);
      for (const [position, attachment] of attachments.entries()) {
        const previous = uploaded.get(idempotencyKey, position);
        if (previous) {
          records.push({ record_type: 'attachment', record_id: previous.attachment_id, created: false });
          continue;
        }
        const created = await upload(deal.id, attachment);
        recordUpload.run(idempotencyKey, position, created.record_id);
        records.push(created);
      }
      return records;
    },
    async close() {
      if (ledger.open) ledger.close();
    },
  };

  /** The account, contact and deal of a first save; the deal is in the ledger before anything else can fail. */
  async function createRecords(record: IntakeRecord, idempotencyKey: string): Promise<{ deal: StoredDeal; records: CreatedRecord[] }> {
    const records: CreatedRecord[] = [];
    let accountId: string | undefined;
    if (record.company_name) {
      const account = await write(
        'Accounts/upsert',
        { data: [{ Account_Name: record.company_name, ...(record.website ? { Website: record.website } : {}), ...(record.industry ? { Industry: record.industry } : {}) }], duplicate_check_fields: [record.website ? 'Website' : 'Account_Name'] },
        'the account',
      );
      accountId = account.details?.id;
      records.push({ record_type: 'account', record_id: accountId as string, created: account.action === 'insert' });
    }
    let contactId: string | undefined;
    if (record.email) {
      const [first, ...rest] = (record.candidate_name ?? '').split(/\s+/).filter(Boolean);
      const contact = await write(
        'Contacts/upsert',
        {
          data: [{ Last_Name: rest.join(' ') || first || record.email, ...(rest.length && first ? { First_Name: first } : {}), Email: record.email, ...(record.phone ? { Phone: record.phone } : {}), ...(accountId ? { Account_Name: { id: accountId } } : {}) }],
          duplicate_check_fields: ['Email'],
        },
        'the contact',
      );
      contactId = contact.details?.id;
      records.push({ record_type: 'contact', record_id: contactId as string, created: contact.action === 'insert' });
    }
    const deal = await write(
      'Deals',
      { data: [{ Deal_Name: dealName(record), Stage: 'Lead', Lead_Source: leadSource(record), ...(accountId ? { Account_Name: { id: accountId } } : {}), ...(contactId ? { Contact_Name: { id: contactId } } : {}) }] },
      'the deal',
    );
    const dealId = deal.details?.id as string;
    recordDeal.run(idempotencyKey, dealId, contactId ?? null, accountId ?? null);
    records.push({ record_type: 'deal', record_id: dealId, created: true });
    return { deal: { id: dealId, contact_id: contactId ?? null, account_id: accountId ?? null }, records };
  }
}
