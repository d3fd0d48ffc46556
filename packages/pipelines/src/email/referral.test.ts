import { describe, expect, it } from 'vitest';
import { parseEmail } from './parse-email.js';
import { introducedName } from './referral.js';
import { extractByRules } from './rules-extractor.js';

const read = async (email: { sender_name: string; sender_email: string; subject: string; body: string } | { raw: string }) =>
  Object.fromEntries(extractByRules(await parseEmail('raw' in email ? email : { ...email, attachments: [] })).map((field) => [field.field_name, field.value]));

const sourceOf = async (email: { sender_name: string; sender_email: string; subject: string; body: string }, name: string) =>
  extractByRules(await parseEmail({ ...email, attachments: [] })).find((field) => field.field_name === name);

describe('referral emails', () => {
  it('takes the person introduced for the candidate, with the contacts the message gives for them, and the sender for the referrer', async () => {
    const email = {
      sender_name: 'Nadia Brook',
      sender_email: 'nadia.brook@harborline-talent.test',
      subject: 'Introduction - Felix Arden for Regional Sales Manager Role',
      body: `
    Hi Team,

    I wanted to introduce you to Felix Arden who would be perfect for the
    Regional Sales Manager position in the Dayton area.

    His phone number is (937) 555-0142 and email is felix.arden@postbox.test.

    Best regards,
    Nadia Brook
    Senior Recruiter
    Harborline Talent Partners
    (937) 555-0100
    `,
    };
    expect(await read(email)).toEqual({
      candidate_name: 'Felix Arden',
      job_title: 'Regional Sales Manager',
      company_name: 'Harborline Talent Partners',
      referrer_name: 'Nadia Brook',
      referrer_email: 'nadia.brook@harborline-talent.test',
      phone: '(937) 555-0142',
      email: 'felix.arden@postbox.test',
      industry: 'Staffing',
    });
    // Each value says where it came from, for a person reading the run.
    expect(await sourceOf(email, 'candidate_name')).toMatchObject({ origin: 'text', source: 'person introduced in the message' });
    expect((await sourceOf(email, 'referrer_name'))?.source).toMatch(/^the sender, who introduces them/);
  });

  it('reads "please meet", with a title before the name, and keeps the referrer\'s signature phone and address away from the candidate', async () => {
    expect(
      await read({
        sender_name: 'Marta Quill',
        sender_email: 'marta.quill@brightpath-search.test',
        subject: 'Candidate for your controller search',
        body: 'Hello,\n\nPlease meet Dr. Tobias Renner, a CPA with twelve years in manufacturing finance. He is a strong fit for the Plant Controller role.\nYou can reach Tobias at 312-555-0188 or tobias.renner@fastmail.test.\n\nThanks,\nMarta Quill\nPrincipal Recruiter\nBrightPath Search LLC\n(312) 555-0101\nmarta.quill@brightpath-search.test',
      }),
    ).toMatchObject({ candidate_name: 'Tobias Renner', job_title: 'Plant Controller', phone: '312-555-0188', email: 'tobias.renner@fastmail.test', referrer_name: 'Marta Quill', referrer_email: 'marta.quill@brightpath-search.test' });
  });

  it('reads "I\'m referring" and "I highly recommend", and leaves out a phone or address the message does not give', async () => {
    expect(
      await read({
        sender_name: 'Devon Park',
        sender_email: 'devon@quarry-labs.test',
        subject: 'Referral',
        body: "Hi Sam,\n\nI'm referring Lucia Ferreira for the Backend Engineer opening. We worked together for three years.\nLucia: lucia.f@mailbox.test, +1 (415) 555-0199\n\nCheers,\nDevon Park",
      }),
    ).toMatchObject({ candidate_name: 'Lucia Ferreira', job_title: 'Backend Engineer', email: 'lucia.f@mailbox.test', phone: '+1 (415) 555-0199', referrer_name: 'Devon Park', referrer_email: 'devon@quarry-labs.test' });

    const recommended = await read({
      sender_name: 'Grace Obi',
      sender_email: 'grace.obi@harbor-freight.test',
      subject: 'Strong candidate',
      body: 'Team -\n\nI highly recommend Ravi Menon for the Operations Manager position. Ravi ran our second warehouse for four years.\n\nBest,\nGrace Obi\nDirector of Operations\nHarbor Freightways Inc.\n206-555-0100',
    });
    expect(recommended).toMatchObject({ candidate_name: 'Ravi Menon', job_title: 'Operations Manager', referrer_name: 'Grace Obi', referrer_email: 'grace.obi@harbor-freight.test' });
    expect(recommended['phone']).toBeUndefined();
    expect(recommended['email']).toBeUndefined();
  });

  it('takes a copied candidate\'s address from the Cc line, and the name from the subject when the text only says "meet"', async () => {
    const raw = [
      'From: Lena Brooks <lena@talentbridge.test>',
      'To: hiring@acme-works.test',
      'Cc: "Jordan Castillo" <jcastillo@postbox.test>, "Hiring Desk" <desk@acme-works.test>',
      'Subject: Intro: Omar Haddad',
      '',
      "Hi all,",
      '',
      "I'd like you to meet Omar Haddad (cc'd), who is looking for a Sales Director role in Denver.",
      '',
      'Best regards,',
      'Lena Brooks',
      'TalentBridge Partners',
      '(720) 555-0110',
      '',
    ].join('\r\n');
    // The Cc line names someone else: an address is the candidate's only if it carries their name.
    expect(await read({ raw })).toMatchObject({ candidate_name: 'Omar Haddad', referrer_name: 'Lena Brooks', referrer_email: 'lena@talentbridge.test' });
    expect((await read({ raw }))['email']).toBeUndefined();
    expect(await read({ raw: raw.replace('"Jordan Castillo" <jcastillo@postbox.test>', '"Omar Haddad" <o.haddad@inbox.test>') })).toMatchObject({ candidate_name: 'Omar Haddad', email: 'o.haddad@inbox.test' });
    expect(await read({ raw: raw.replace("I'd like you to meet Omar Haddad (cc'd), who", 'Our candidate').replace('Subject: Intro: Omar Haddad', 'Subject: Referral - Omar Haddad') })).toMatchObject({ candidate_name: 'Omar Haddad', referrer_name: 'Lena Brooks' });
  });

  it('reads the seed\'s own referral: the candidate is the man introduced, not the sender', async () => {
    expect(
      await read({
        sender_email: 'john.referrer@wellpartners.com',
        sender_name: 'John Referrer',
        subject: 'Introduction - Kevin Sullivan for Senior Financial Advisor Role',
        body: '\n    Hi Team,\n    \n    I wanted to introduce you to Kevin Sullivan who would be perfect for the \n    Senior Financial Advisor position in the Fort Wayne area.\n    \n    His phone number is (555) 123-4567 and email is kevin.sullivan@email.com.\n    \n    Best regards,\n    John Referrer\n    Well Partners Recruiting\n    ',
      }),
    ).toMatchObject({ candidate_name: 'Kevin Sullivan', email: 'kevin.sullivan@email.com', phone: '(555) 123-4567', referrer_name: 'John Referrer', referrer_email: 'john.referrer@wellpartners.com' });
  });

  it('leaves an email that introduces nobody as the rules read it: the writer is the candidate', async () => {
    const own = { sender_name: 'Ana Ruiz', sender_email: 'ana.ruiz@postbox.test', subject: 'Application', body: "Hello,\n\nI'd like to introduce myself: I am applying for the Data Analyst role. I recommend Friday for a call.\nI was referred by Maria Lopez.\n\nThanks,\nAna Ruiz\n(503) 555-0177" };
    expect(await read(own)).toMatchObject({ candidate_name: 'Ana Ruiz', email: 'ana.ruiz@postbox.test', phone: '(503) 555-0177', referrer_name: 'Maria Lopez' });
    expect((await read(own))['referrer_email']).toBeUndefined();
  });

  it('finds no one in sentences that only look like an introduction', () => {
    const named = (body: string, subject = 'Update', sender_name = 'Pat Lee') => introducedName({ body, subject, sender_name });
    expect(named('Let me introduce you to our new expense process.')).toBeUndefined();
    expect(named('I recommend Friday.')).toBeUndefined();
    expect(named('Please refer to the attached memo.')).toBeUndefined();
    expect(named('I would like to introduce Pat Lee, that is me, to the team.')).toBeUndefined();
    expect(named('Nothing here', 'Introduction - Pat Lee')).toBeUndefined();
    expect(named('Please meet You and the Team at noon.')).toBeUndefined();
    // The name stops at a word that cannot be part of it.
    expect(named('Please meet Priya Shah Our new analyst.')).toBe('Priya Shah');
    expect(named('I wanted to introduce you both to Noor Aziz.')).toBe('Noor Aziz');
  });
});
