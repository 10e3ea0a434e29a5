/**
 * Seeded latency samples (mulberry32 + Box–Muller) shared by test/metrics and the benchmarks, so
 * every run sees the same values.
 */
import { mulberry32 } from '../../src/core/random.js';

export { mulberry32 };

export function normal(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

export function lognormal(n: number, medianMs: number, sigma: number, seed: number): Float64Array {
  const r = mulberry32(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = medianMs * Math.exp(sigma * normal(r));
  return out;
}

/** 85 % fast path around 3 ms, 15 % stalled flushes around 400 ms. */
export function bimodal(n: number, seed: number): Float64Array {
  const r = mulberry32(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = r() < 0.85 ? 3 * Math.exp(0.4 * normal(r)) : 400 * Math.exp(0.6 * normal(r));
  return out;
}

/** Gatling #4715: `fast` values uniformly over 0–7 ms and `slow` over 1,502–1,503 ms, shuffled. */
export function gapCase(fast: number, slow: number, seed: number, wholeMs = false): Float64Array {
  const r = mulberry32(seed);
  const out = new Float64Array(fast + slow);
  for (let i = 0; i < fast; i++) out[i] = (7 * i) / Math.max(1, fast - 1);
  for (let i = 0; i < slow; i++) out[fast + i] = 1502 + i / Math.max(1, slow - 1);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    const t = out[i]; out[i] = out[j]; out[j] = t;
  }
  // wholeMs rounds to whole milliseconds, as Gatling records them.
  if (wholeMs) for (let i = 0; i < out.length; i++) out[i] = Math.round(out[i]);
  return out;
}

/** Nearest-rank quantile of the data: the smallest value with at least q·n values ≤ it. */
export function exactQuantile(sorted: Float64Array, q: number): number {
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)];
}
