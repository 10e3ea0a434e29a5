/** Duet runs' balanced randomised order: each pair of users (or arrivals) splits A/B; a task user takes turns ABBA or BAAB. */
import { describe, expect, it } from 'vitest';
import { DuetUser, sideOfIndex, type DuetSide } from '../../src/load/duet-user.js';
import type { LoadUser } from '../../src/load/load-user.js';

function fakeUser(index: number, log: string[], side: string): LoadUser {
  return {
    index, stopping: false, run: undefined,
    start: async () => true,
    iterate: async () => (log.push(side), true),
    think: () => undefined,
    stop: async () => undefined,
    requestStop: () => undefined,
  };
}

describe('sideOfIndex', () => {
  it('sends one of each pair to A and the other to B, with the order drawn per pair', () => {
    for (const seed of [1, 2, 3, 99]) {
      for (let pair = 0; pair < 50; pair++) {
        const sides = new Set([sideOfIndex(seed, 2 * pair + 1), sideOfIndex(seed, 2 * pair + 2)]);
        expect(sides).toEqual(new Set(['a', 'b']));
      }
    }
    // Not always A first: the draws differ between pairs.
    const firsts = Array.from({ length: 100 }, (_, p) => sideOfIndex(7, 2 * p + 1));
    const a = firsts.filter((s) => s === 'a').length;
    expect(a).toBeGreaterThan(30);
    expect(a).toBeLessThan(70);
  });

  it('is the same for the same seed (repeatable runs)', () => {
    const draw = (seed: number): DuetSide[] => Array.from({ length: 20 }, (_, i) => sideOfIndex(seed, i + 1));
    expect(draw(5)).toEqual(draw(5));
    expect(draw(5)).not.toEqual(draw(6));
  });
});

describe('DuetUser', () => {
  it('takes turns ABBA or BAAB, so each side gets half of every four iterations', async () => {
    for (let index = 1; index <= 10; index++) {
      const log: string[] = [];
      const user = new DuetUser(fakeUser(index, log, 'a'), fakeUser(index, log, 'b'), 42);
      for (let i = 0; i < 8; i++) await user.iterate();
      expect(['abbaabba', 'baabbaab']).toContain(log.join(''));
      expect(user.lastSide).toBe(log[7]);
    }
  });
});
