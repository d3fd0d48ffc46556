import { createClient } from '@unfold/client/node';
import { describe, expect, it } from 'vitest';
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
});
