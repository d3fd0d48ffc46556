import { describe, expect, it } from 'vitest';
import { findSignature, threadMessages } from './parse-email.js';
import { extractByRules } from './rules-extractor.js';

const DISCLAIMER = [
  'This message and anything attached to it are confidential and may be privileged. If it',
  'reached you by mistake, tell the sender and delete it; any use of it by someone other',
  'than the addressee is prohibited.',
].join('\n');

describe('findSignature', () => {
  it('looks past a disclaimer and attachment notes to the signature above them', () => {
    const body = ['Please review the draft.', '', 'Marta J. Lindqvist', 'Senior Counsel', 'Harbourline Water Corporation', 'Telephone No.: (312) 555-0187', '', DISCLAIMER, '', ' - draft.doc'].join('\n');
    expect(findSignature(body).signature).toBe('Marta J. Lindqvist\nSenior Counsel\nHarbourline Water Corporation\nTelephone No.: (312) 555-0187');
  });

  it('cuts a disclaimer that runs straight on under the signature', () => {
    const body = ['See you Thursday.', '', 'Best,', 'Tamsin', '- This e-mail and its attachments are meant only for the person it is addressed to and', 'may hold information that is confidential. If it reached you in error, please let the', 'sender know and delete every copy.'].join('\n');
    expect(findSignature(body)).toEqual({ signature: 'Tamsin', sign_off: 'Best,' });
  });

  it('takes a name alone under the last sentence as the signature', () => {
    expect(findSignature('Lunch on Friday?\nOwen').signature).toBe('Owen');
    // A line that does not end a sentence is not followed by a signature.
    expect(findSignature('The meeting moved to\nHouston').signature).toBe('');
  });
});

describe('threadMessages', () => {
  it('splits at an indented "Original Message" marker', () => {
    const messages = threadMessages('Works for me.\n\nRenata Okafor\n312-555-0163\n\n -----Original Message-----\nFrom: Lindqvist, Marta\nSent: Thursday\nTo: Okafor\n\nHere it is.');
    expect(messages[0]).toBe('Works for me.\n\nRenata Okafor\n312-555-0163');
    expect(extractByRules({ sender_name: '', sender_email: '', subject: '', body: messages[0] ?? '', quoted: '', attachments: [], ...findSignature(messages[0] ?? '') })).toEqual(
      expect.arrayContaining([expect.objectContaining({ field_name: 'candidate_name', value: 'Renata Okafor' }), expect.objectContaining({ field_name: 'phone', value: '312-555-0163' })]),
    );
  });

  it('splits at a Lotus Notes header whose time has seconds, past "Please respond to"', () => {
    const messages = threadMessages(['Got it, thanks.', '', 'Ines', '', '', '"Bram Okoye" <bram@fenwick-ag.test> on 04/11/2001 09:14:27 AM', 'Please respond to bram@fenwick-ag.test', 'To: ines.marlow@halden.test', 'cc:', 'Subject: rates', '', 'Ines, the new rates are attached.', '', 'Bram Okoye', 'Fenwick Agri Holdings', '312-555-0148'].join('\n'));
    expect(messages[0]).toBe('Got it, thanks.\n\nInes');
    expect(messages[1]).toContain('Bram Okoye\nFenwick Agri Holdings\n312-555-0148');
    expect(messages[1]).not.toContain('on 04/11/2001');
  });

  it('keeps a "… wrote:" line over quoted text out of the reply', () => {
    const messages = threadMessages(['See you there.', 'bram.okoye@fenwick-ag.test wrote:', '>', '> Shall we meet at noon?'].join('\n'));
    expect(messages[0]).toBe('See you there.');
    expect(messages[1]).toContain('Shall we meet at noon?');
  });
});
