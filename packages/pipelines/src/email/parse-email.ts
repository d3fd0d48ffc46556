import { UnfoldError } from '@unfold/protocol';
import { simpleParser, type AddressObject } from 'mailparser';
import { MAX_ATTACHMENT_BYTES, type EmailInput } from './email-input.js';

export interface EmailAttachment {
  filename: string;
  content_type: string;
  size: number;
  content: Buffer;
}

export interface ParsedEmail {
  sender_name: string;
  sender_email: string;
  subject: string;
  /** The new text of the message: quoted replies and forwarded messages removed. */
  body: string;
  /** The quoted or forwarded part, when there is one. */
  quoted: string;
  /** The sender's signature block, when one was found. */
  signature: string;
  /** The line that closes the message ("Thanks,", "Best regards,"), when found. */
  sign_off: string;
  /** The attachments with their bytes, for sinks that store them; never put in events. */
  attachments: EmailAttachment[];
  /** Who the message is copied to (a raw message's Cc header): a referral often copies the person it introduces. */
  cc?: Array<{ name: string; address: string }>;
}

/**
 * Where a reply's quoted text or a forwarded message begins. Lotus Notes heads a quoted
 * message with its sender and a time stamp ("Jo Park <jo@x.com> on 03/02/2001 10:15:42 AM",
 * or the time on a line of its own), then perhaps "Please respond to …" or "Sent by: …"
 * lines, then "To:"; other clients write "Jo Park wrote:" over lines quoted with ">".
 */
const QUOTE_START =
  /^(>|[ \t]*-{2,}\s*Original Message\s*-{2,}|[ \t]*-{2,}\s*Forwarded by|Begin forwarded message:|On .{4,120} wrote:\s*$|[^\n]{1,120}\bwrote:[ \t]*\n(?=[ \t]*>)|\s*From:\s.+\n(?:.*\n){0,3}?\s*(Sent|Date|To):\s|[ \t]*\S[^\n]*\n?[ \t]*\d{1,2}\/\d{1,2}\/\d{2,4}\s+\d{1,2}:\d{2}(:\d{2})?(\s*[AP]M)?[ \t]*\n(?:[ \t]*(?:(?:Please respond to|Sent by:)[^\n]*)?\n){0,3}\s*To:)/im;
/** A closing line: what a person writes right before their name. */
const SIGN_OFF_WORDS = '(?:thanks(?: again| so much| you)?|thank you|thx|many thanks|best(?: regards| wishes)?|regards|rgds|kind regards|warm regards|sincerely|cheers|all the best|talk soon|take care|respectfully|love)';
/** A closing on its own line, or ending the last sentence: "Please call me.  Thanks,". */
export const SIGN_OFF = new RegExp(`(?:^|[.!?]\\s+)\\s*${SIGN_OFF_WORDS}\\s*[,.!-]*\\s*$`, 'i');
/** A sign-off and the name on one line: "Thanks. Tamsin", "Regards, Tom". */
const SIGN_OFF_WITH_NAME = new RegExp(`^\\s*(${SIGN_OFF_WORDS}\\s*[,.!-]+)\\s*([A-Z][a-zA-Z'’-]+(?:\\s+[A-Z][a-zA-Z'’.-]+){0,2}|[a-z]{2,3})\\s*$`, 'i');
/** A paragraph that is only a name or initials. */
const LONE_NAME = /^(?:[A-Z][a-z'’-]+(?:\s+[A-Z][a-z'’-]+){0,2}|[A-Z]{2,3}|[a-z]{2,3})$/;
/** A name signed at the end of the last sentence: "… see you then?  --Owen". */
const TRAILING_NAME = /(?:^|\s)--?\s?([A-Z][a-zA-Z'’-]+(?:\s+[A-Z][a-zA-Z'’-]+)?)\s*$/;

function addressesOf(field: AddressObject | AddressObject[] | undefined): Array<{ name: string; address: string }> {
  return (Array.isArray(field) ? field : field ? [field] : []).flatMap((object) => object.value.map((entry) => ({ name: entry.name ?? '', address: entry.address ?? '' })));
}

function addressOf(field: AddressObject | AddressObject[] | undefined): { name: string; address: string } {
  const first = (Array.isArray(field) ? field[0] : field)?.value[0];
  return { name: first?.name ?? '', address: first?.address ?? '' };
}

/** Splits the new text from what it quotes; signatures are found in the new text only. */
export function splitQuoted(text: string): { body: string; quoted: string } {
  const match = QUOTE_START.exec(text);
  if (!match) return { body: text.trim(), quoted: '' };
  return { body: text.slice(0, match.index).trim(), quoted: text.slice(match.index).trim() };
}

/** A line of a quoted message's header block: "To: …", "cc:", "Sent: …", "Please respond to …". */
const HEADER_LINE = /^\s*(?:(?:from|to|cc|bcc|sent|date|subject|sent by|importance)\s*:|please respond to\b)/i;

/**
 * A quoted message without the header block it opens with (Lotus Notes leaves "To:" and
 * "cc:" lines, wrapped over several lines, between the sender and the "Subject:"): the
 * addresses and names it lists are the recipients', not the writer's signature.
 */
function withoutHeaderBlock(message: string): string {
  const lines = message.split('\n');
  if (!HEADER_LINE.test(lines[0] ?? '')) return message;
  const subject = lines.findIndex((line, at) => at < 15 && /^\s*subject\s*:/i.test(line));
  // Without a subject line, the block is its label lines and what wraps under them, up to a blank line.
  const end = subject >= 0 ? subject + 1 : Math.max(0, lines.findIndex((line) => line.trim() === ''));
  return lines.slice(end).join('\n').trim();
}

/** Every message of a thread, newest first: the new text, then each quoted or forwarded one. */
export function threadMessages(text: string): string[] {
  const messages: string[] = [];
  let rest = text;
  for (let guard = 0; guard < 50; guard++) {
    const { body, quoted } = splitQuoted(rest);
    messages.push(withoutHeaderBlock(body));
    // Skip past a marker line ("-----Original Message-----"), unquote "> " lines, and
    // split again to find the next message.
    const next = (quoted.startsWith('>') ? quoted : quoted.replace(/^.*\n?/, '')).replace(/^(>\s?)/gm, '');
    if (quoted === '' || next === rest) break;
    rest = next;
  }
  return messages.filter((message) => message.trim() !== '');
}

/** A line a signature block is made of: a phone, an address, a title or company word. */
const CONTACT_LINE = /\d{3}[\s.)-]+\d{3}[\s.-]+\d{4}|\bx\d(-?\d){3,4}\b|@|\b(phone|tel|fax|cell|mobile|office|direct|inc|llc|corp|company|manager|director|president|vice|analyst|assistant|engineer|counsel|specialist|coordinator)\b/i;

/** Lines that follow a signature without being part of it: attachment notes and rules. */
const TRAILING_NOISE = /^\s*(\(See attached file:.*\)|<<.*>>|- .*\.\w{2,4}|[*=_-]{5,}|\?+|confidentiality.*|this e-?mail .*|the information contained .*)\s*$/i;
/** Attachment notes wrapped over lines: "(See attached file: a.doc)  (See attached\nfile: b.doc)", " - Draft Testimony of\nJo Park.doc". */
const WRAPPED_ATTACHMENTS = /^\s*(?:(?:\(See attached\s+file:[^)]*\)|<<[^>]*>>)\s*)+$|^\s*- [^]*\.(?:docx?|xlsx?|pptx?|pdf|txt|rtf|wpd|zip|jpe?g|gif|tiff?|html?|csv)\s*$/i;
/** What a legal disclaimer says; a long paragraph saying it is boilerplate, not a message. */
const DISCLAIMER = /\b(confidential|privileged|intended (only )?(for|recipient)|not the intended|unauthori[sz]ed|disclaimer|prohibited)\b/i;
/** How a disclaimer opens when it runs on right under the signature, with no blank line. */
const DISCLAIMER_OPENING = /^[\s*-]*(this (e-?mail|message|communication|transmission)|the (information|preceding|contents)|confidential|privileged|notice|disclaimer|if you are not)/i;

function isBoilerplate(lines: readonly string[]): boolean {
  const text = lines.join(' ');
  return text.length > 150 && DISCLAIMER.test(text);
}

/** The message without the disclaimers, attachment notes and rules that often close it. */
function withoutTrailingNoise(lines: readonly string[]): string[] {
  let end = lines.length;
  for (;;) {
    while (end > 0 && (lines[end - 1] as string).trim() === '') end--;
    if (end === 0) return [];
    const start = paragraphStart(lines, end - 1);
    const paragraph = lines.slice(start, end);
    if (paragraph.every((line) => TRAILING_NOISE.test(line)) || WRAPPED_ATTACHMENTS.test(paragraph.join('\n')) || isBoilerplate(paragraph)) {
      // The whole paragraph is boilerplate, unless a signature runs straight into it.
      const opening = paragraph.findIndex((line, at) => at > 0 && DISCLAIMER_OPENING.test(line) && isBoilerplate(paragraph.slice(at)));
      if (opening > 0 && !isBoilerplate(paragraph.slice(0, opening))) return lines.slice(0, start + opening);
      if (start === 0) return [];
      end = start;
      continue;
    }
    return lines.slice(0, end);
  }
}

/**
 * A signature with no sign-off before it: the last paragraph, when it is a short block
 * of short lines and at least one of them reads like contact details.
 */
function trailingContactBlock(lines: readonly string[]): string {
  const end = lines.findLastIndex((line) => line.trim() !== '');
  if (end < 0) return '';
  const start = paragraphStart(lines, end);
  const paragraph = lines.slice(start, end + 1).map((line) => line.trim());
  // A signature run on under the last sentence, with no blank line: from a name that follows a sentence's end.
  const namedAt = paragraph.findLastIndex((line, at) => at > 0 && endsSentence(paragraph[at - 1] as string) && PERSON_LINE.test(line));
  const block = namedAt > 0 && isContactBlock(paragraph.slice(namedAt)) ? paragraph.slice(namedAt) : isContactBlock(paragraph) ? paragraph : [];
  if (block.length === 0) return '';
  // "Jo Park\nAnalyst\n\n12 Main St\n312-555-0100": a name and title printed apart from the contact lines.
  const aboveEnd = block === paragraph ? lines.slice(0, start).findLastIndex((line) => line.trim() !== '') : -1;
  const above = aboveEnd < 0 ? [] : lines.slice(paragraphStart(lines, aboveEnd), aboveEnd + 1).map((line) => line.trim());
  const heading = above.length >= 1 && above.length <= 4 && PERSON_LINE.test(above[0] as string) && above.every((line) => line.length <= 60 && !/[.!?,:;]$/.test(line));
  return [...(heading ? [...above, ''] : []), ...block].join('\n');
}

/** The end of a sentence of running text (four words at least, so not "Acme Corp."). */
const endsSentence = (line: string) => /[.!?:]$/.test(line) && line.split(/\s+/).length >= 4;

/** A line that is a person's full name: two to four capitalised words or initials. */
const PERSON_LINE = /^[A-Z][a-zA-Z'’-]+(?:\s+(?:[A-Z][a-zA-Z'’-]+|[A-Z]\.)){1,3}$/;

/** Short lines, two to twelve, one of them contact details: form fields and header lines are not a signature. */
function isContactBlock(block: readonly string[]): boolean {
  const shortLines = block.every((line) => line.length <= 60 && !/^[A-Za-z][\w ]{2,30}\s:\s/.test(line) && !/^(To|Cc|From|Subject|Sent|Date):/i.test(line));
  return block.length >= 2 && block.length <= 12 && shortLines && block.some((line) => CONTACT_LINE.test(line));
}

function paragraphStart(lines: readonly string[], end: number): number {
  let start = end;
  while (start > 0 && (lines[start - 1] as string).trim() !== '') start--;
  return start;
}

/**
 * The lines under a delimiter or sign-off, up to the first two blank lines in a row: a
 * signature keeps its lines together, and what stands further down (a pasted article, a
 * newsletter) is another text. A name alone may stand apart from the block it heads
 * ("Kind regards,\nJo Park\n\n\nJo Park\nAnalyst…"), so a one-line block takes the next.
 */
function blockFrom(lines: readonly string[]): string {
  const [first = '', second] = lines.join('\n').trim().split(/\n[ \t>]*\n[ \t>]*\n/);
  return first.includes('\n') || second === undefined ? first : `${first}\n\n${second.trim()}`;
}

/** The signature: after a `-- ` delimiter, else the lines after the last sign-off. */
export function findSignature(body: string): { signature: string; sign_off: string } {
  const lines = withoutTrailingNoise(body.split(/\r?\n/));
  const delimiter = lines.findLastIndex((line) => /^--\s?$/.test(line));
  if (delimiter >= 0) return { signature: blockFrom(lines.slice(delimiter + 1)), sign_off: '' };
  const signOff = lines.findLastIndex((line) => SIGN_OFF.test(line) || SIGN_OFF_WITH_NAME.test(line));
  if (signOff >= 0 && lines.length - signOff <= 15) {
    const line = lines[signOff] as string;
    const inline = SIGN_OFF_WITH_NAME.exec(line);
    const rest = blockFrom(lines.slice(signOff + 1));
    // "Thanks. Tamsin": the name opens the signature.
    if (inline) return { signature: `${inline[2]}\n${rest}`.trim(), sign_off: (inline[1] as string).trim() };
    return { signature: rest, sign_off: line.trim() };
  }
  const last = lines.findLast((line) => line.trim() !== '') ?? '';
  const trailing = TRAILING_NAME.exec(last);
  if (trailing) return { signature: trailing[1] as string, sign_off: '--' };
  const block = trailingContactBlock(lines);
  if (block) return { signature: block, sign_off: '' };
  // A name alone under the last sentence or paragraph: "Done!\n\nRenata", "Lunch on Friday?\nOwen".
  const end = lines.findLastIndex((line) => line.trim() !== '');
  const above = end >= 1 ? (lines[end - 1] as string).trim() : '';
  const alone = above === '' || /[.?!)]$/.test(above) ? (lines[end] as string | undefined)?.trim() ?? '' : '';
  if (end >= 1 && LONE_NAME.test(alone)) return { signature: alone, sign_off: '(name)' };
  return { signature: '', sign_off: '' };
}

/**
 * Parses an email with mailparser (MIME, encodings, HTML to text) or takes the
 * original API's JSON as it is, then separates the new text, the quote and the
 * signature.
 */
export async function parseEmail(input: EmailInput): Promise<ParsedEmail> {
  let sender: { name: string; address: string };
  let subject: string;
  let text: string;
  let attachments: ParsedEmail['attachments'];
  let cc: ParsedEmail['cc'] = [];
  if ('raw' in input) {
    const message = await simpleParser(input.raw, { skipImageLinks: true, skipTextToHtml: true }).catch((error: unknown) => {
      throw new UnfoldError('invalid_email', `the message could not be parsed: ${(error as Error).message}`);
    });
    sender = addressOf(message.from);
    cc = addressesOf(message.cc);
    subject = message.subject ?? '';
    text = message.text ?? '';
    attachments = message.attachments.map((attachment) => ({ filename: attachment.filename ?? 'attachment', content_type: attachment.contentType, size: attachment.size, content: attachment.content }));
    const tooLarge = attachments.find((attachment) => attachment.size > MAX_ATTACHMENT_BYTES);
    if (tooLarge) throw new UnfoldError('email_too_large', `attachment ${tooLarge.filename} is ${tooLarge.size} bytes; the limit is ${MAX_ATTACHMENT_BYTES}`);
  } else {
    sender = { name: input.sender_name, address: input.sender_email };
    subject = input.subject;
    text = input.body;
    attachments = input.attachments.map((attachment) => {
      const content = Buffer.from(attachment.content_base64, 'base64');
      return { filename: attachment.filename, content_type: attachment.content_type, size: content.length, content };
    });
  }
  // Invalid UTF-8 arrives as U+FFFD; a body of nothing but that and white space has no text.
  if (text.replace(/[\s\uFFFD]/g, '') === '' && subject.trim() === '') throw new UnfoldError('no_text_found', 'the email has no text');
  const { body, quoted } = splitQuoted(text.replace(/\r\n/g, '\n'));
  return { sender_name: sender.name, sender_email: sender.address, subject, body, quoted, ...findSignature(body), attachments, cc };
}
