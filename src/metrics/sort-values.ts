/**
 * Sorting a digest's buffered samples: the same order as Float64Array.prototype.sort(), 1.2–1.9
 * times as fast on the arrays a digest sorts, 1,230–8,200 values (bench/quantiles.ts, its sort
 * table in bench/RESULTS.md "quantiles").
 *
 * Node 20's typed-array sort costs 50–58 ns per value at 3,000–8,000 values. Every sample is
 * sorted when its digest folds its buffer, and a live page's reads sort each second's new
 * samples, so this is part of both the recording's cost and the page's. Latencies are
 * non-negative, and the bit patterns of non-negative doubles sort as unsigned integers in
 * numeric order: a least-significant-digit radix sort (8 passes of 8 bits, a pass skipped when
 * all values share its byte; Knuth, TAOCP vol. 3, §5.2.5) orders them in linear time. Anything
 * else — a negative value, -0, NaN, or a short array where the native sort is as fast — goes to
 * the native sort, so the result is always the array the native sort gives.
 */

/** Below this many values the native sort is as fast (measured: 600 values, 25 vs 29 ns each). */
const RADIX_FROM = 1024;
const counts = new Int32Array(256 * 8);
let spare = new Float64Array(0);

/** Sorts `a` in place in numeric order (as `a.sort()` does) and returns it. */
export function sortValues(a: Float64Array): Float64Array {
  const n = a.length;
  if (n < RADIX_FROM) return a.sort();
  const bits = new Uint32Array(a.buffer, a.byteOffset, n * 2);
  const c = counts;
  c.fill(0);
  // One pass counts every byte of every value (little-endian words: low word first).
  for (let i = 0, j = 0; i < n; i++, j += 2) {
    const lo = bits[j], hi = bits[j + 1];
    // A sign bit (a negative value or -0), or NaN: the native sort.
    if (hi >= 0x7ff00000 && (hi >= 0x80000000 || a[i] !== a[i])) return a.sort();
    c[lo & 255]++; c[256 + ((lo >>> 8) & 255)]++; c[512 + ((lo >>> 16) & 255)]++; c[768 + (lo >>> 24)]++;
    c[1024 + (hi & 255)]++; c[1280 + ((hi >>> 8) & 255)]++; c[1536 + ((hi >>> 16) & 255)]++; c[1792 + (hi >>> 24)]++;
  }
  if (spare.length < n) spare = new Float64Array(Math.max(n, 8192));
  let src: Float64Array = a, dst: Float64Array = spare.subarray(0, n);
  let srcBits: Uint32Array = bits, dstBits: Uint32Array = new Uint32Array(spare.buffer, 0, n * 2);
  for (let d = 0; d < 8; d++) {
    const base = d * 256;
    // Counts to start offsets; a byte every value shares leaves the order as it is.
    let start = 0, shared = false;
    for (let k = 0; k < 256; k++) {
      const x = c[base + k];
      if (x === n) { shared = true; break; }
      c[base + k] = start;
      start += x;
    }
    if (shared) continue;
    const word = d >> 2, shift = (d & 3) << 3;
    for (let i = 0; i < n; i++) dst[c[base + ((srcBits[2 * i + word] >>> shift) & 255)]++] = src[i];
    [src, dst] = [dst, src];
    [srcBits, dstBits] = [dstBits, srcBits];
  }
  if (src !== a) a.set(src);
  return a;
}
