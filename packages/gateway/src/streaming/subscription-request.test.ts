import { describe, expect, it } from 'vitest';
import { parseSubscriptionRequest } from './subscription-request.js';

describe('parseSubscriptionRequest', () => {
  it('reads after, epoch and types; Last-Event-ID wins over after, and an empty one counts as none', () => {
    expect(parseSubscriptionRequest({ after: '4', epoch: 'e1', types: 'tool_progress,,field_labeled,' })).toEqual({ after: 4, epoch: 'e1', types: new Set(['tool_progress', 'field_labeled']) });
    expect(parseSubscriptionRequest({ after: '4' }, '9').after).toBe(9);
    expect(parseSubscriptionRequest({ after: '4' }, ['7', '8']).after).toBe(7);
    expect(parseSubscriptionRequest({ after: '4' }, '').after).toBe(4);
    expect(parseSubscriptionRequest({})).toEqual({ after: 0, epoch: undefined, types: undefined });
  });

  it('refuses a bad position or filter with invalid_position', () => {
    for (const [query, header] of [[{ after: '-1' }, undefined], [{}, 'x'], [{ types: 'no_such_type' }, undefined]] as const) {
      expect(() => parseSubscriptionRequest(query, header), JSON.stringify([query, header])).toThrow(expect.objectContaining({ code: 'invalid_position' }));
    }
  });
});
