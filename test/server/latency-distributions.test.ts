/**
 * The latency fault follows the distribution it names: checked on the sampler (10,000 draws, tight
 * bounds) and on the delays the server really applies to answers over loopback (looser bounds:
 * timers and a shared machine add a few ms).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FaultInjector, type LatencySpec } from '../../src/server/faults.js';
import { startReferenceServer, type ReferenceServer } from '../../src/server/index.js';
import { ingestHeaders, metricLine, send } from './client.js';

const quantile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
const Z90 = 1.2815515655446004; // standard normal 90th percentile

function draws(latency: LatencySpec, n: number, seed = 3): number[] {
  const f = new FaultInjector({ latency, seed });
  return Array.from({ length: n }, () => f.sampleLatencyMs()).sort((a, b) => a - b);
}
const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
const std = (xs: number[]): number => {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
};

describe('the sampler (10,000 draws)', () => {
  it('fixed: every draw is the value', () => {
    expect(new Set(draws({ kind: 'fixed', ms: 37 }, 1000))).toEqual(new Set([37]));
  });

  it('uniform 10–50: within the bounds, mean 30 ± 0.5, deciles evenly spaced', () => {
    const xs = draws({ kind: 'uniform', minMs: 10, maxMs: 50 }, 10_000);
    expect(xs[0]).toBeGreaterThanOrEqual(10);
    expect(xs[xs.length - 1]).toBeLessThanOrEqual(50);
    expect(Math.abs(mean(xs) - 30)).toBeLessThan(0.5);
    for (let d = 1; d <= 9; d++) expect(Math.abs(quantile(xs, d / 10) - (10 + 4 * d))).toBeLessThan(1);
  });

  it('lognormal median 20, sigma 0.5: median 20 ± 3 %, p90/p50 = e^(0.5·z0.9) ± 5 %', () => {
    const xs = draws({ kind: 'lognormal', medianMs: 20, sigma: 0.5 }, 10_000);
    expect(Math.abs(quantile(xs, 0.5) / 20 - 1)).toBeLessThan(0.03);
    const spread = quantile(xs, 0.9) / quantile(xs, 0.5);
    expect(Math.abs(spread / Math.exp(0.5 * Z90) - 1)).toBeLessThan(0.05);
    expect(xs[0]).toBeGreaterThan(0);
  });

  it('normal mean 20, std 5: mean 20 ± 0.3, std 5 ± 0.25, clamped at 0', () => {
    const xs = draws({ kind: 'normal', meanMs: 20, stdMs: 5 }, 10_000);
    expect(Math.abs(mean(xs) - 20)).toBeLessThan(0.3);
    expect(Math.abs(std(xs) - 5)).toBeLessThan(0.25);
    const clamped = draws({ kind: 'normal', meanMs: 1, stdMs: 5 }, 2000);
    expect(clamped[0]).toBe(0);
  });

  it('a seed repeats the same draws; no seed does not', () => {
    expect(draws({ kind: 'lognormal', medianMs: 20, sigma: 1 }, 50, 9)).toEqual(draws({ kind: 'lognormal', medianMs: 20, sigma: 1 }, 50, 9));
  });
});

describe('the delays the server applies (200 requests over loopback)', () => {
  const servers: ReferenceServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.stop()));
  });

  /** Answer times of `n` ingest posts, 20 at a time. */
  async function answerTimes(latency: LatencySpec, n = 200): Promise<number[]> {
    const s = await startReferenceServer({ faults: { latency, seed: 11 } });
    servers.push(s);
    const times: number[] = [];
    for (let sent = 0; sent < n; sent += 20) {
      await Promise.all(
        Array.from({ length: 20 }, async (_, i) => {
          const t0 = performance.now();
          const a = await send(s.url, 'POST', '/ingest/metrics', metricLine(sent + i), ingestHeaders('1'));
          expect(a.status).toBe(200);
          times.push(performance.now() - t0);
        }),
      );
    }
    return times.sort((a, b) => a - b);
  }

  it('lognormal median 60 ms, sigma 0.5: the answers\' median and p90/p10 follow it', async () => {
    const t = await answerTimes({ kind: 'lognormal', medianMs: 60, sigma: 0.5 });
    const p50 = quantile(t, 0.5);
    expect(p50).toBeGreaterThan(60 * 0.85);
    expect(p50).toBeLessThan(60 * 1.2 + 10);
    // p90/p10 of the delay is e^(2·0.5·z0.9) = 3.6; a constant or absent delay gives ~1.
    const ratio = quantile(t, 0.9) / quantile(t, 0.1);
    expect(ratio).toBeGreaterThan(2.6);
    expect(ratio).toBeLessThan(4.8);
  });

  it('uniform 40–120 ms: every answer takes at least 40 ms, the spread covers the range', async () => {
    const t = await answerTimes({ kind: 'uniform', minMs: 40, maxMs: 120 });
    expect(t[0]).toBeGreaterThanOrEqual(39);
    expect(quantile(t, 0.5)).toBeGreaterThan(70);
    expect(quantile(t, 0.5)).toBeLessThan(95);
    expect(quantile(t, 0.95)).toBeGreaterThan(105);
    expect(quantile(t, 0.05)).toBeLessThan(55);
  });

  it('normal mean 80 ms, std 20 ms: median ≈ 80, p84 − p16 ≈ 2·std', async () => {
    const t = await answerTimes({ kind: 'normal', meanMs: 80, stdMs: 20 });
    expect(quantile(t, 0.5)).toBeGreaterThan(72);
    expect(quantile(t, 0.5)).toBeLessThan(95);
    const width = quantile(t, 0.84) - quantile(t, 0.16);
    expect(width).toBeGreaterThan(28);
    expect(width).toBeLessThan(55);
  });
});
