import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UnfoldError } from '@unfold/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createZohoSink } from './zoho-sink.js';

/**
 * A local stand-in for Zoho (accounts server and CRM v8) that checks every request
 * against the documented shapes and keeps records like the CRM does. Zoho itself is an
 * external service: this is the test double the README names.
 */
function fakeZoho() {
  const calls: string[] = [];
  const problems: string[] = [];
  const accounts = new Map<string, string>();
  const contacts = new Map<string, string>();
  const deals: Array<Record<string, unknown>> = [];
  let failNextDeal = 0;
  const failingAttachments = new Set<string>();
  const attachments: string[] = [];
  let nextId = 1000;
  const read = (request: IncomingMessage) => new Promise<string>((resolve) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => resolve(body));
  });
  const server: Server = createServer(async (request, response) => {
    const body = await read(request);
    const url = new URL(request.url ?? '/', 'http://zoho');
    calls.push(`${request.method} ${url.pathname}`);
    const reply = (status: number, payload: unknown) => response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
    if (url.pathname === '/oauth/v2/token') {
      const form = new URLSearchParams(body);
      if (!request.headers['content-type']?.startsWith('application/x-www-form-urlencoded')) problems.push('token request is not form-encoded');
      if (form.get('grant_type') !== 'refresh_token' || !form.get('client_id') || !form.get('client_secret')) problems.push('token request lacks OAuth fields');
      if (form.get('refresh_token') !== 'good-refresh') return reply(200, { error: 'invalid_code' });
      return reply(200, { access_token: 'access-1', api_domain: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, token_type: 'Bearer', expires_in: 3600 });
    }
    if (request.headers.authorization !== 'Zoho-oauthtoken access-1') return reply(401, { code: 'INVALID_TOKEN' });
    const success = (id: string, action: 'insert' | 'update') => reply(action === 'insert' ? 201 : 200, { data: [{ code: 'SUCCESS', status: 'success', action, message: 'record added', details: { id } }] });
    if (/Attachments$/.test(url.pathname)) {
      const filename = /name="file"; filename="([^"]+)"/.exec(body)?.[1];
      if (!request.headers['content-type']?.startsWith('multipart/form-data') || !filename) problems.push('attachment is not a multipart file field');
      if (failingAttachments.delete(filename ?? '')) return reply(503, { code: 'INTERNAL_ERROR' });
      attachments.push(filename ?? '');
      return success(String(nextId++), 'insert');
    }
    const payload = JSON.parse(body) as { data: Array<Record<string, unknown>>; duplicate_check_fields?: string[] };
    if (!Array.isArray(payload.data) || payload.data.length !== 1) problems.push(`${url.pathname}: data must be an array of one record`);
    const data = payload.data[0] ?? {};
    if (url.pathname === '/crm/v8/Accounts/upsert') {
      if (typeof data['Account_Name'] !== 'string') problems.push('account without Account_Name');
      if (!payload.duplicate_check_fields?.every((field) => ['Website', 'Account_Name'].includes(field))) problems.push('account duplicate check field');
      const key = String(data[payload.duplicate_check_fields?.[0] ?? 'Account_Name']).toLowerCase();
      const existing = accounts.get(key);
      if (existing) return success(existing, 'update');
      const id = String(nextId++);
      accounts.set(key, id);
      return success(id, 'insert');
    }
    if (url.pathname === '/crm/v8/Contacts/upsert') {
      if (typeof data['Last_Name'] !== 'string' || typeof data['Email'] !== 'string') problems.push('contact without Last_Name and Email');
      if (JSON.stringify(payload.duplicate_check_fields) !== '["Email"]') problems.push('contact duplicate check field');
      const existing = contacts.get(String(data['Email']));
      if (existing) return success(existing, 'update');
      const id = String(nextId++);
      contacts.set(String(data['Email']), id);
      return success(id, 'insert');
    }
    if (url.pathname === '/crm/v8/Deals') {
      if (failNextDeal > 0) {
        failNextDeal--;
        return reply(503, { code: 'INTERNAL_ERROR' });
      }
      if (typeof data['Deal_Name'] !== 'string' || data['Stage'] !== 'Lead') problems.push('deal without Deal_Name and Stage Lead');
      deals.push(data);
      return success(String(nextId++), 'insert');
    }
    return reply(404, { code: 'INVALID_URL_PATTERN' });
  });
  return { server, calls, problems, deals, attachments, failDeals: (count: number) => (failNextDeal = count), failAttachmentOnce: (filename: string) => failingAttachments.add(filename) };
}

const record = { candidate_name: 'Dana Whitfield', job_title: 'Lead Data Engineer', location: 'Houston, TX', company_name: 'Northwind Energy Inc.', website: 'https://northwind-energy.com', email: 'dana@northwind-energy.com', phone: '+17135550142' };

describe('Zoho CRM sink', () => {
  let zoho: ReturnType<typeof fakeZoho>;
  let directory: string;
  let url: string;
  beforeEach(async () => {
    zoho = fakeZoho();
    await new Promise<void>((resolve) => zoho.server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(zoho.server.address() as AddressInfo).port}`;
    directory = await mkdtemp(join(tmpdir(), 'unfold-zoho-'));
  });
  afterEach(async () => {
    await new Promise<void>((resolve) => zoho.server.close(() => resolve()));
    await rm(directory, { recursive: true, force: true });
  });
  const sink = (refreshToken = 'good-refresh') => createZohoSink({ clientId: 'id', clientSecret: 'secret', refreshToken, accountsUrl: url, ledgerPath: join(directory, 'ledger.sqlite') });

  it('refreshes a token, upserts the account and contact, creates the deal, in the documented shapes', async () => {
    const zohoSink = sink();
    const cv = { filename: 'cv.pdf', content_type: 'application/pdf', size: 9, content: Buffer.from('%PDF-1.7\n') };
    const created = await zohoSink.save(record, 'run-1', [cv]);
    expect(zoho.problems).toEqual([]);
    expect(zoho.calls.map((call) => call.replace(/\d{4}/, 'ID'))).toEqual(['POST /oauth/v2/token', 'POST /crm/v8/Accounts/upsert', 'POST /crm/v8/Contacts/upsert', 'POST /crm/v8/Deals', 'POST /crm/v8/Deals/ID/Attachments']);
    expect(created.map((entry) => `${entry.record_type}:${entry.created}`)).toEqual(['account:true', 'contact:true', 'deal:true', 'attachment:true']);
    expect(zoho.deals[0]).toMatchObject({ Deal_Name: 'Lead Data Engineer (Houston) - Northwind Energy Inc.', Stage: 'Lead', Lead_Source: 'Email Inbound' });
    await zohoSink.close();
  });

  it('never creates a second deal for a retried run, even after a failed first try', async () => {
    const zohoSink = sink();
    zoho.failDeals(1);
    const failure = await zohoSink.save(record, 'run-2').catch((error: unknown) => error);
    expect(UnfoldError.isInstance(failure) && failure.transient).toBe(true);
    const retried = await zohoSink.save(record, 'run-2');
    const again = await zohoSink.save(record, 'run-2');
    expect(zoho.deals).toHaveLength(1);
    expect(retried.map((entry) => `${entry.record_type}:${entry.created}`)).toEqual(['account:false', 'contact:false', 'deal:true']);
    expect(again.every((entry) => !entry.created)).toBe(true);
    await zohoSink.close();
  });

  it('uploads on a retry only the attachments a failed try did not, under the same deal', async () => {
    const zohoSink = sink();
    const file = (filename: string) => ({ filename, content_type: 'application/pdf', size: 9, content: Buffer.from('%PDF-1.7\n') });
    const files = [file('cv.pdf'), file('cover.pdf')];
    zoho.failAttachmentOnce('cover.pdf');
    const failure = await zohoSink.save(record, 'run-4', files).catch((error: unknown) => error);
    expect(UnfoldError.isInstance(failure) && failure.transient).toBe(true);
    const retried = await zohoSink.save(record, 'run-4', files);
    expect(zoho.deals).toHaveLength(1);
    expect(retried.map((entry) => `${entry.record_type}:${entry.created}`)).toEqual(['account:false', 'contact:false', 'deal:false', 'attachment:false', 'attachment:true']);
    expect(zoho.attachments).toEqual(['cv.pdf', 'cover.pdf']);
    await zohoSink.close();
  });

  it('says unauthorized, not retryable, when Zoho refuses the refresh token', async () => {
    const failure = await sink('revoked').save(record, 'run-3').catch((error: unknown) => error);
    expect(UnfoldError.isInstance(failure) && [failure.code, failure.transient]).toEqual(['unauthorized', false]);
  });
});
