import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/core/random.js';
import { sortValues } from '../../src/metrics/sort-values.js';

/** The native order, value by value (Object.is: -0 before +0 counts, NaN equals NaN). */
function expectNativeOrder(values: Float64Array): void {
  const expected = Float64Array.from(values).sort();
  const got = sortValues(Float64Array.from(values));
  expect(got.length).toBe(expected.length);
  for (let i = 0; i < got.length; i++) if (!Object.is(got[i], expected[i])) expect.fail(`index ${i}: ${got[i]} where the native sort gives ${expected[i]}`);
}

describe('sortValues', () => {
  const rnd = mulberry32(42);
  const lognormal = (): number => Math.exp(Math.sqrt(-2 * Math.log(rnd() || 1e-12)) * Math.cos(2 * Math.PI * rnd()));

  it('gives the native order on latencies of every size around the radix threshold and the buffer sizes', () => {
    for (const n of [0, 1, 2, 100, 1023, 1024, 1025, 1230, 3333, 8200, 20_000]) {
      expectNativeOrder(Float64Array.from({ length: n }, () => lognormal() * 0.8));
    }
  });

  it('keeps duplicates, whole milliseconds, zeros, subnormals, huge values and +Infinity in order', () => {
    const special = [0, 5e-324, 1e-310, Number.MIN_VALUE * 3, 1e308, Number.MAX_VALUE, Infinity, 1, 1, 2];
    expectNativeOrder(Float64Array.from({ length: 5000 }, (_, i) => (i % 7 === 0 ? special[i % special.length] : Math.round(lognormal() * 20))));
    expectNativeOrder(new Float64Array(4096).fill(3.25)); // every byte shared: no pass runs
  });

  it('falls back to the native order with negative values, -0 and NaN', () => {
    for (const odd of [-1.5, -0, NaN, -Infinity]) {
      const values = Float64Array.from({ length: 3000 }, () => lognormal());
      values[1234] = odd;
      values[77] = odd;
      expectNativeOrder(values);
    }
  });

  it('sorts in place a view into a larger buffer and leaves the rest of the buffer alone', () => {
    const buffer = Float64Array.from({ length: 6000 }, () => lognormal());
    const before = Float64Array.from(buffer);
    const view = buffer.subarray(1000, 4000);
    const expected = Float64Array.from(view).sort();
    expect(sortValues(view)).toBe(view);
    expect(Array.from(view)).toEqual(Array.from(expected));
    expect(Array.from(buffer.subarray(0, 1000))).toEqual(Array.from(before.subarray(0, 1000)));
    expect(Array.from(buffer.subarray(4000))).toEqual(Array.from(before.subarray(4000)));
  });
});
