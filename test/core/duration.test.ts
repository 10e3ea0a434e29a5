import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/core/duration.js';
import { SimUsageError } from '../../src/core/errors.js';

describe('--run-time parsing (Locust spellings)', () => {
  it.each([
    ['30s', 30],
    ['5m', 300],
    ['1h', 3600],
    ['1h30m', 5400],
    ['90', 90],
    ['2.5s', 2.5],
    ['250ms', 0.25],
    [' 10S ', 10],
    [45, 45],
  ])('%s → %d s', (text, seconds) => {
    expect(parseDuration(text)).toBeCloseTo(seconds, 9);
  });

  it.each(['', 'abc', '5x', '1h 30m', '-5s', 's', '5m3'])('rejects %j with a one-sentence usage error naming the flag', (text) => {
    let caught: unknown;
    try {
      parseDuration(text, '--run-time');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(SimUsageError);
    const msg = (caught as Error).message;
    expect(msg).toContain('--run-time');
    expect(msg.split('\n')).toHaveLength(1);
  });
});
