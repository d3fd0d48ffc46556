import { describe, expect, it } from 'vitest';
import { SendBudget } from './send-budget.js';

describe('SendBudget', () => {
  it('calls a client behind once what it has not taken passes the limit', () => {
    const budget = new SendBudget(1_000);
    expect(budget.isBehind(1_000)).toBe(false);
    expect(budget.isBehind(1_001)).toBe(true);
  });

  it('lets one frame larger than the limit through without calling its reader behind', () => {
    const budget = new SendBudget(1_000);
    budget.sent(1_750);
    expect(budget.isBehind(1_750)).toBe(false);
    expect(budget.isBehind(2_750)).toBe(false);
    // A reader that took nothing of it while more came is still behind, within a bound.
    expect(budget.isBehind(2_751)).toBe(true);
  });

  it('has room for a replay only under half the limit', () => {
    const budget = new SendBudget(1_000);
    expect(budget.hasRoom(500)).toBe(true);
    expect(budget.hasRoom(501)).toBe(false);
  });

  it('holds a burst corked only while it is within the limit', () => {
    const budget = new SendBudget(1_000);
    expect(budget.isBurstFull(1_000)).toBe(false);
    expect(budget.isBurstFull(1_001)).toBe(true);
  });
});
