/**
 * Execution segments: which items a segment owns, how many of the first n that is, and which
 * segments are refused. A split plan must add up to exactly the unsplit one.
 */
import { describe, expect, it } from 'vitest';
import { owns, segmentProblem, share, WHOLE } from '../../src/executor/segment.js';

describe('owns', () => {
  it('gives item i to segment i mod N', () => {
    const seg = { index: 2, count: 3 };
    expect([0, 1, 2, 3, 4, 5, 8].filter((i) => owns(seg, i))).toEqual([2, 5, 8]);
  });

  it('gives every item to the whole plan', () => {
    expect([0, 1, 7, 1000].every((i) => owns(WHOLE, i))).toBe(true);
  });

  it('gives each item to exactly one segment', () => {
    for (const count of [1, 2, 3, 5, 8]) {
      for (let i = 0; i < 50; i++) {
        const owners = Array.from({ length: count }, (_, index) => index).filter((index) => owns({ index, count }, i));
        expect(owners).toEqual([i % count]);
      }
    }
  });
});

describe('share', () => {
  it('counts the items the segment owns among the first n', () => {
    expect(share({ index: 0, count: 4 }, 10)).toBe(3); // 0, 4, 8
    expect(share({ index: 1, count: 4 }, 10)).toBe(3); // 1, 5, 9
    expect(share({ index: 2, count: 4 }, 10)).toBe(2); // 2, 6
    expect(share({ index: 3, count: 4 }, 10)).toBe(2); // 3, 7
    expect(share({ index: 3, count: 4 }, 3)).toBe(0);
    expect(share({ index: 0, count: 4 }, 0)).toBe(0);
    expect(share(WHOLE, 50)).toBe(50);
  });

  it('agrees with owns, and the shares of all segments sum to n, for many n and N', () => {
    for (let count = 1; count <= 12; count++) {
      for (let n = 0; n <= 60; n++) {
        let sum = 0;
        for (let index = 0; index < count; index++) {
          const s = share({ index, count }, n);
          let owned = 0;
          for (let i = 0; i < n; i++) if (owns({ index, count }, i)) owned++;
          expect(s).toBe(owned);
          sum += s;
        }
        expect(sum).toBe(n);
      }
    }
  });

  it('splits evenly: shares differ by at most one', () => {
    for (const [n, count] of [[10, 3], [50, 7], [1, 4], [100, 100]]) {
      const shares = Array.from({ length: count }, (_, index) => share({ index, count }, n));
      expect(Math.max(...shares) - Math.min(...shares)).toBeLessThanOrEqual(1);
    }
  });
});

describe('segmentProblem', () => {
  it('accepts every index from 0 to count-1', () => {
    expect(segmentProblem(WHOLE)).toBeUndefined();
    for (let index = 0; index < 5; index++) expect(segmentProblem({ index, count: 5 })).toBeUndefined();
  });

  it.each([
    [{ index: 0, count: 0 }, 'the number of segments must be a whole number of at least 1, got 0'],
    [{ index: 0, count: 1.5 }, 'the number of segments must be a whole number of at least 1, got 1.5'],
    [{ index: 0, count: NaN }, 'the number of segments must be a whole number of at least 1, got NaN'],
    [{ index: 3, count: 3 }, 'the segment index must be a whole number from 0 to 2, got 3'],
    [{ index: -1, count: 3 }, 'the segment index must be a whole number from 0 to 2, got -1'],
    [{ index: 0.5, count: 3 }, 'the segment index must be a whole number from 0 to 2, got 0.5'],
  ])('%j → %s', (seg, msg) => {
    expect(segmentProblem(seg)).toBe(msg);
  });
});
