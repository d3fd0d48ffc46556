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

  it('ends a signature at two blank lines in a row, unless it is a name alone over its block', () => {
    const pasted = ['Have a look at this.', '', 'Best,', 'Ines Marlow', 'Halden Grain Co.', '312-555-0131', '', '', '', 'River Levels Fall Again', 'By a staff writer, ines@wire.test'].join('\n');
    expect(findSignature(pasted).signature).toBe('Ines Marlow\nHalden Grain Co.\n312-555-0131');
    const apart = ['Kind regards,', 'Bram Okoye', '', '', 'Bram Okoye', 'Account Manager', '312-555-0148'].join('\n');
    expect(findSignature(apart).signature).toBe('Bram Okoye\n\nBram Okoye\nAccount Manager\n312-555-0148');
  });

  it('looks past attachment notes wrapped over two lines and lines of question marks', () => {
    const body = ['Comments welcome.', '', 'Dede Arkwright', 'Senior Attorney', 'Phone: (312) 555-0172', '', '?', '', '(See attached file: Annex one.doc)        (See attached', 'file: Annex two.doc)'].join('\n');
    expect(findSignature(body).signature).toBe('Dede Arkwright\nSenior Attorney\nPhone: (312) 555-0172');
  });

  it('finds a contact block run on under the last sentence, and a name and title printed above it', () => {
    const runOn = ['I will let you know the status.', 'Pia Lindgren', 'Legal Specialist', 'ph:  312.555.0119'].join('\n');
    expect(findSignature(runOn).signature).toBe('Pia Lindgren\nLegal Specialist\nph:  312.555.0119');
    const apart = ['Worth a look.', '', 'Ravi K. Osei', 'Senior Geologist', 'Osei Minerals', '', '12 Quarry Road', '312.555.0190 Telephone'].join('\n');
    expect(findSignature(apart).signature).toBe('Ravi K. Osei\nSenior Geologist\nOsei Minerals\n\n12 Quarry Road\n312.555.0190 Telephone');
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

  it("leaves a quoted message's header block, wrapped To: lines and all, out of its text", () => {
    const thread = ['Noted.', '', '', 'Ines Marlow <ines@halden.test> on 05/18/2001 01:28:43 PM', 'To: "Bram Okoye" <bram@fenwick-ag.test>, Pia', 'Lindgren <pia@fenwick-ag.test>', 'cc:', '', 'Subject: the review', '', 'Draft attached.', 'Ines'].join('\n');
    expect(threadMessages(thread)[1]).toBe('Draft attached.\nInes');
    // A message that opens with words a header might ("To be sure") keeps them.
    expect(threadMessages('To be sure, call me.\nIda')[0]).toBe('To be sure, call me.\nIda');
  });

  it('keeps a "… wrote:" line over quoted text out of the reply', () => {
    const messages = threadMessages(['See you there.', 'bram.okoye@fenwick-ag.test wrote:', '>', '> Shall we meet at noon?'].join('\n'));
    expect(messages[0]).toBe('See you there.');
    expect(messages[1]).toContain('Shall we meet at noon?');
  });
});
