const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];

/** A printed amount as a number: `RM1,234.50` → 1234.5; undefined when it is not one. */
export function parseAmount(text: string): number | undefined {
  const match = /-?\d{1,3}(?:,\d{3})*(?:\.\d+)?|-?\d+(?:\.\d+)?/.exec(text.replace(/\s/g, ''));
  if (!match) return undefined;
  const value = Number(match[0].replace(/,/g, ''));
  return Number.isFinite(value) ? value : undefined;
}

/** The currency a receipt prints, as an ISO 4217 code. */
export function detectCurrency(text: string): string | undefined {
  if (/\bRM\s?\d|\bRM\b|\bMYR\b/i.test(text)) return 'MYR';
  if (/€|\bEUR\b/.test(text)) return 'EUR';
  if (/£|\bGBP\b/.test(text)) return 'GBP';
  if (/\bS\$|\bSGD\b/.test(text)) return 'SGD';
  if (/\$|\bUSD\b/.test(text)) return 'USD';
  return undefined;
}

const pad = (value: number) => String(value).padStart(2, '0');

function isoDate(year: number, month: number, day: number): string | undefined {
  const fullYear = year < 100 ? 2000 + year : year;
  const date = new Date(Date.UTC(fullYear, month - 1, day));
  if (date.getUTCFullYear() !== fullYear || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  return `${fullYear}-${pad(month)}-${pad(day)}`;
}

/**
 * A printed date as ISO 8601. Numeric dates are read day first (as on most receipts
 * outside the US) unless only month-first makes a valid date.
 */
export function normalizeDate(text: string): string | undefined {
  const upper = text.toUpperCase();
  let match = /(\d{4})[/\-.](\d{1,2})[/\-.](\d{1,2})/.exec(upper);
  if (match) return isoDate(Number(match[1]), Number(match[2]), Number(match[3]));
  match = /(\d{1,2})[/\-.](\d{1,2})[/\-.](\d{2,4})/.exec(upper);
  if (match) {
    const [first, second, year] = [Number(match[1]), Number(match[2]), Number(match[3])];
    return isoDate(year, second, first) ?? isoDate(year, first, second);
  }
  match = /(\d{1,2})[\s\-/.]*([A-Z]{3})[A-Z]*[\s\-/.,]*(\d{2,4})/.exec(upper);
  if (match) {
    const month = MONTHS.indexOf(match[2] as string) + 1;
    if (month > 0) return isoDate(Number(match[3]), month, Number(match[1]));
  }
  match = /([A-Z]{3})[A-Z]*[\s\-/.]*(\d{1,2}),?[\s\-/.]*(\d{2,4})/.exec(upper);
  if (match) {
    const month = MONTHS.indexOf(match[1] as string) + 1;
    if (month > 0) return isoDate(Number(match[3]), month, Number(match[2]));
  }
  return undefined;
}
