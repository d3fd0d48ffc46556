import { createClient } from '@unfold/client/node';
import { describe, expect, it } from 'vitest';
import { postJson } from './raw-clients.js';
import { useTestServer } from './test-server.js';

describe('email runs over HTTP', () => {
  const server = useTestServer();

  it('streams fields, research and the records created in the embedded SQLite sink', async () => {
    const client = createClient({ baseUrl: server().url });
    const stream = client.runAndWatch({
      pipeline: 'email',
      input: {
        sender_name: 'Dana Whitfield',
        sender_email: 'dana@northwind-energy.com',
        subject: 'Data role',
        body: 'Hi,\n\nThanks,\nDana Whitfield\nLead Data Engineer\nNorthwind Energy Inc.\nHouston, TX\nDirect: (713) 555-0142',
      },
    });
    const fields: string[] = [];
    const records: string[] = [];
    stream.on('extraction_field', (event) => fields.push(event.field_name));
    stream.on('record_created', (event) => records.push(`${event.sink}:${event.record_type}:${event.created}`));
    const terminal = await stream.done;
    expect(fields).toEqual(expect.arrayContaining(['candidate_name', 'job_title', 'company_name', 'phone', 'email']));
    expect(records).toEqual(['sqlite:account:true', 'sqlite:contact:true', 'sqlite:deal:true']);
    expect(terminal).toMatchObject({ event_type: 'processing_completed', result: { extracted: { phone: '+17135550142' }, records: [{ record_type: 'account' }, { record_type: 'contact' }, { record_type: 'deal' }] } });
  });

  it('fails broken MIME and a body with no text clearly, refuses a 30 MB attachment, and keeps serving', async () => {
    const client = createClient({ baseUrl: server().url });
    const broken = 'Content-Type: multipart/mixed; boundary="never-closed"\r\n\r\n--never-closed\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n\u00ff\u00fe!!\r\n';
    const failed = await client.runAndWatch({ pipeline: 'email', input: { raw: broken } }).done;
    expect(failed).toMatchObject({ event_type: 'processing_failed', tool_name: 'parse', code: 'no_text_found' });

    const huge = Buffer.alloc(30 * 1024 * 1024, 1).toString('base64');
    const refused = await postJson(`${server().url}/v1/runs`, { pipeline: 'email', input: { body: 'CV attached', attachments: [{ filename: 'cv.pdf', content_base64: huge }] } });
    expect(refused.status).toBe(413);
    expect(refused.body).toMatchObject({ code: 'body_too_large' });
    expect(refused.body['message']).toMatch(/limit/);

    const fine = await client.runAndWatch({ pipeline: 'email', input: { sender_email: 'kim@example.org', body: 'Hello,\n\nThanks,\nKim Lee\n(713) 555-0100' } }).done;
    expect(fine).toMatchObject({ event_type: 'processing_completed', result: { extracted: { candidate_name: 'Kim Lee' } } });
  });
});
