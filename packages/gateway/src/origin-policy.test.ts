import { describe, expect, it } from 'vitest';
import { isOriginAllowed } from './origin-policy.js';

describe('isOriginAllowed', () => {
  it("allows no Origin (not a browser), the server's own host, a listed origin and any with *; nothing else", () => {
    expect(isOriginAllowed(undefined, 'unfold.example', [])).toBe(true);
    expect(isOriginAllowed('https://unfold.example', 'unfold.example', [])).toBe(true);
    expect(isOriginAllowed('http://127.0.0.1:8080', '127.0.0.1:8080', [])).toBe(true);
    expect(isOriginAllowed('https://app.example', 'unfold.example', ['https://app.example'])).toBe(true);
    expect(isOriginAllowed('https://evil.example', 'unfold.example', ['*'])).toBe(true);
    expect(isOriginAllowed('https://evil.example', 'unfold.example', ['https://app.example'])).toBe(false);
    // Another port is another origin; a listed origin matches exactly.
    expect(isOriginAllowed('http://127.0.0.1:9999', '127.0.0.1:8080', [])).toBe(false);
    expect(isOriginAllowed('https://app.example.evil', 'unfold.example', ['https://app.example'])).toBe(false);
    // Sandboxed pages and file:// send "null", which no allowlist entry but * matches.
    expect(isOriginAllowed('null', 'unfold.example', [])).toBe(false);
    expect(isOriginAllowed('https://unfold.example', undefined, [])).toBe(false);
  });
});
