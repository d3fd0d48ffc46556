/** Patterns more than one labelling module reads. */
export const DATE = [
  /\b\d{4}[/\-.]\d{1,2}[/\-.]\d{1,2}\b/,
  /\b\d{1,2}[/\-.]\d{1,2}[/\-.]\d{2,4}\b/,
  /\b\d{1,2}[\s\-/.]?(JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)[A-Z]*[\s\-/.,]*\d{2,4}\b/i,
  /\b(JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)[A-Z]*[\s\-/.]*\d{1,2},?[\s\-/.]*\d{2,4}\b/i,
];
export const BARE_PHONE = /\b(\+?\d{1,3}[\s-])?\(?0\d{1,2}\)?[\s-]?\d{3,4}[\s-]?\d{3,4}\b/;
