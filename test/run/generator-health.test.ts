/** The generator's self-diagnosis: a blocked main thread is called saturated, an idle one is not. */
import { describe, expect, it } from 'vitest';
import { GeneratorHealthMonitor, judgeGeneratorHealth } from '../../src/run/health/generator-health.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
function burn(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) Math.sqrt(Math.random());
}

describe('GeneratorHealthMonitor', () => {
  it('a main thread blocked in 250 ms chunks for 2.5 s is saturated, with the figures in one sentence', async () => {
    const m = new GeneratorHealthMonitor();
    m.start();
    const end = performance.now() + 2500;
    while (performance.now() < end) {
      burn(250);
      await new Promise((r) => setImmediate(r));
    }
    const h = m.stop();
    expect(h.saturated).toBe(true);
    expect(h.utilisation).toBeGreaterThan(0.9);
    expect(h.loopDelayMs.max).toBeGreaterThanOrEqual(200);
    expect(h.busyWindows).toBeGreaterThanOrEqual(2);
    expect(h.cpuCores).toBeGreaterThan(0); // how much CPU the busy thread got depends on the (shared) machine
    expect(h.warning).toMatch(/^The load generator itself was saturated \(main thread busy ≥ 90 % in \d+ of \d+ s, event-loop delay p99 [\d.]+ ms, max [\d.]+ ms, CPU [\d.]+ of \d+ cores\): the latencies include its own queueing and do not describe the target; run fewer users per process\.$/);
  });

  it('an idle generator (timers only) is not saturated and has no warning', async () => {
    const m = new GeneratorHealthMonitor();
    m.start();
    for (let i = 0; i < 15; i++) await sleep(100);
    const h = m.stop();
    expect(h.saturated).toBe(false);
    expect(h.warning).toBe('');
    expect(h.utilisation).toBeLessThan(0.5);
    expect(h.loopDelayMs.p99).toBeLessThan(100);
    expect(h.windows).toBeGreaterThanOrEqual(1);
  });
});

describe('judgeGeneratorHealth', () => {
  const base = { cores: 2, utilisation: 0.5, cpuCores: 0.5, loopDelayMs: { p50: 1, p99: 5, max: 20 }, timeline: [] };
  const windows = (busy: number, of: number) =>
    Array.from({ length: of }, (_, i) => ({ t: i + 1, utilisation: i < busy ? 0.95 : 0.3, cpuCores: 0.5, loopDelayMaxMs: 1 }));

  it('saturated from 20 % busy windows (at 90 % utilisation), not below', () => {
    expect(judgeGeneratorHealth({ ...base, timeline: windows(2, 10) }).saturated).toBe(true);
    expect(judgeGeneratorHealth({ ...base, timeline: windows(1, 10) }).saturated).toBe(false);
  });

  it('saturated when the event-loop delay p99 reaches 100 ms, whatever the utilisation', () => {
    expect(judgeGeneratorHealth({ ...base, loopDelayMs: { p50: 3, p99: 100, max: 400 } }).saturated).toBe(true);
    expect(judgeGeneratorHealth({ ...base, loopDelayMs: { p50: 3, p99: 99.9, max: 400 } }).saturated).toBe(false);
  });
});
