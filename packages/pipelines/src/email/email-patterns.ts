/** Patterns the email rules share: the signature reader, the referral reader and the signature model. */

export const TITLE_WORDS =
  /\b(president|vice president|vp|ceo|cfo|coo|cto|cio|chairman|director|manager|head of|lead|engineer|analyst|assistant|associate|consultant|specialist|coordinator|administrator|officer|partner|founder|co-founder|owner|developer|designer|recruiter|counsel|attorney|lawyer|accountant|controller|trader|scientist|architect|representative|advisor|adviser|executive|supervisor|secretary|intern|principal|chief|senior|sr\.?|junior|jr\.?|staff|professor|editor|producer|agent|geologist|geophysicist|economist|paralegal|treasurer|auditor|broker|buyer|planner|technician|clerk|scheduler|originator|marketer)\b/i;

export const ORGANISATION =
  /\b(inc\.?|incorporated|llc|l\.l\.c\.|ltd\.?|limited|corp\.?|corporation|company|co\.|group|partners|llp|plc|gmbh|ag|s\.a\.|holdings|associates|consulting|consultants|brothers|international|energy|services|solutions|technologies|systems|capital|bank|university|college|institute|foundation|agency|firm)\b/i;

/** A phone number as written: North American with an optional extension, or international with its country code. */
export const PHONE_NUMBER = /\+?1?[\s.-]?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}(?:\s*(?:x|ext\.?)\s*\d{1,5})?|\+\s?\d{1,3}[\s.-]?(?:\(0\)\s?)?\d{1,4}(?:[\s.-]?\d{2,5}){1,4}/;
/** A phone number, after an optional label; the number is group 1. */
export const PHONE = new RegExp(`(?:(?:phone|tel|telephone|office|direct|work|cell|mobile|mob|ph|o|c|p|w|m)\\s*[:.]?\\s*)?(${PHONE_NUMBER.source})`, 'i');

export const FAX = /\b(fax|facsimile|f\s*:)/i;

export const EMAIL = /[A-Z0-9._%+-]+@[A-Z0-9.-]+\.[A-Z]{2,}/i;

export const LOCATION = /\b([A-Z][a-zA-Z.'-]+(?:\s[A-Z][a-zA-Z.'-]+){0,2}),\s*([A-Z]{2})\b(?:\s+\d{5}(?:-\d{4})?)?/;

/** A signature's first line as a name: a first name or initials is enough ("Tamsin", "TS", "Jo B. Ridgeway"). */
export const SIGNED_NAME = /^-?\s*(?:[A-Z][a-zA-Z'’-]+|[A-Z]{1,3}|[a-z]{2,3})(?:\s+(?:[A-Z][a-zA-Z'’-]+\.?|[A-Z]\.)){0,3}$/;

/** Collapses white space and strips the punctuation a sentence leaves around a value ("…/30min."). */
export const clean = (value: string) => value.replace(/\s+/g, ' ').replace(/^[\s,;:|*-]+|[\s,;:|*!?-]+$|(?<=\S{3})\.$(?<!\b[A-Z][a-z]{0,3}\.)/g, '');

/** A header line of a quoted message ("Message-ID: <…@host>", "X-Mailer: …"): it names a message or mail software, never the writer. */
export const QUOTED_HEADER = /^(?:>\s*)*(?:message-id|in-reply-to|references|return-path|x-[\w-]+)\s*:/i;

/** The position a message is about: "for the Senior Analyst role". */
export const JOB_IN_TEXT = /\b(?:for|about|regarding|re:?)\s+(?:the|your|a|an)\s+([A-Za-z][\w /&-]{2,60}?)\s+(?:position|role|opening|opportunity|job)\b/i;

/** Ten zeros or one digit repeated is a placeholder, not a number anyone answers. */
export const isPlausiblePhone = (value: string) => !/^(\d)\1+$/.test(value.replace(/\D/g, ''));
