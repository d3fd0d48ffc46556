/** Patterns the email rules share: the signature reader and the referral reader. */

/** A phone number, after an optional label; the number is group 1. */
export const PHONE = /(?:(?:phone|tel|telephone|office|direct|work|cell|mobile|mob|ph|o|c|p|w|m)\s*[:.]?\s*)?(\+?1?[\s.-]?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}(?:\s*(?:x|ext\.?)\s*\d{1,5})?|\+\s?\d{1,3}[\s.-]?(?:\(0\)\s?)?\d{1,4}(?:[\s.-]?\d{2,5}){1,4})/i;
export const FAX = /\b(fax|facsimile|f\s*:)/i;
export const EMAIL = /[A-Z0-9._%+-]+@[A-Z0-9.-]+\.[A-Z]{2,}/i;
/** The position a message is about: "for the Senior Analyst role". */
export const JOB_IN_TEXT = /\b(?:for|about|regarding|re:?)\s+(?:the|your|a|an)\s+([A-Za-z][\w /&-]{2,60}?)\s+(?:position|role|opening|opportunity|job)\b/i;
/** Ten zeros or one digit repeated is a placeholder, not a number anyone answers. */
export const isPlausiblePhone = (value: string) => !/^(\d)\1+$/.test(value.replace(/\D/g, ''));
