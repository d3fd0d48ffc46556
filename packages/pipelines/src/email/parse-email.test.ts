import { describe, expect, it } from 'vitest';
import { findSignature, threadMessages } from './parse-email.js';
import { extractByRules } from './rules-extractor.js';

const DISCLAIMER = [
  'The preceding e-mail message contains information that is confidential, may',
  'be protected by the attorney/client or other applicable privileges. If you are not',
  'an intended recipient of this message, please do not read, copy or disclose it. Thank you.',
].join('\n');

describe('findSignature', () => {
  it('looks past a disclaimer and attachment notes to the signature above them', () => {
    const body = ['Please review the draft.', '', 'Keith E. Graham', 'Senior Counsel', 'United States Filter Corporation', 'Telephone No.: (630) 778-4810', '', DISCLAIMER, ' - draft.doc'].join('\n');
    expect(findSignature(body).signature).toBe('Keith E. Graham\nSenior Counsel\nUnited States Filter Corporation\nTelephone No.: (630) 778-4810');
  });

  it('cuts a disclaimer that runs straight on under the signature', () => {
    const body = ['See you Thursday.', '', 'Best,', 'Jeff', '- This message (including any attachments) contains confidential information', 'intended for a specific individual and purpose, and is protected by law. If you are', 'not the intended recipient, you should delete this message.'].join('\n');
    expect(findSignature(body)).toEqual({ signature: 'Jeff', sign_off: 'Best,' });
  });

  it('takes a name alone under the last sentence as the signature', () => {
    expect(findSignature('Tennis anyone?\nBen').signature).toBe('Ben');
    // A line that does not end a sentence is not followed by a signature.
    expect(findSignature('The meeting moved to\nHouston').signature).toBe('');
  });
});

describe('threadMessages', () => {
  it('splits at an indented "Original Message" marker', () => {
    const messages = threadMessages('Sounds good.\n\nElizabeth Sager\n713-853-6349\n\n -----Original Message-----\nFrom: Yoder, Christian\nSent: Thursday\nTo: Sager\n\nHere it is.');
    expect(messages[0]).toBe('Sounds good.\n\nElizabeth Sager\n713-853-6349');
    expect(extractByRules({ sender_name: '', sender_email: '', subject: '', body: messages[0] ?? '', quoted: '', attachments: [], ...findSignature(messages[0] ?? '') })).toEqual(
      expect.arrayContaining([expect.objectContaining({ field_name: 'candidate_name', value: 'Elizabeth Sager' }), expect.objectContaining({ field_name: 'phone', value: '713-853-6349' })]),
    );
  });
});
