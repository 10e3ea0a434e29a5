import { describe, expect, it } from 'vitest';
import { GeneratorHealthMonitor, healthSummary } from '../../src/run/health/generator-health.js';
import { timingWarning } from '../../src/run/health/timing-health.js';

const noGc = { pauses: 0, totalMs: 0, maxMs: 0 };

describe('timing health (how much of the reported tail can be the generator\'s own)', () => {
  it('warns above max(2 ms, 2 % of the reported p99) and points to --workers', () => {
    expect(timingWarning(1.9, 30, noGc)).toBe('');
    expect(timingWarning(2.1, 30, noGc)).toMatch(/2\.1 ms late at p99.*--workers/);
    // a 500 ms p99 tolerates 10 ms of the generator's own lateness
    expect(timingWarning(9.9, 500, noGc)).toBe('');
    expect(timingWarning(10.5, 500, { pauses: 3, totalMs: 30, maxMs: 12 })).toMatch(/10\.5 ms late at p99 \(3 GC pauses, the longest 12 ms\), above the 10 ms/);
  });

  it('names --no-memory-reducer when a GC pause exceeded the tolerance and the process lacks the flag', () => {
    const longGc = { pauses: 4, totalMs: 40, maxMs: 17 };
    expect(timingWarning(2.5, 30, longGc, false)).toMatch(/--workers\)\. A single process can also be started as `node --no-memory-reducer /);
    // started with the flag, or no pause above the 2 ms tolerated: the warning stays as it was
    expect(timingWarning(2.5, 30, longGc, true)).not.toMatch(/memory-reducer/);
    expect(timingWarning(2.5, 30, { pauses: 4, totalMs: 4, maxMs: 1.5 }, false)).not.toMatch(/memory-reducer/);
    // within the limit there is no warning at all
    expect(timingWarning(1.5, 30, longGc, false)).toBe('');
  });

  it('measures a blocked event loop and the collections of an allocation burst', async () => {
    const m = new GeneratorHealthMonitor();
    m.start();
    const end = performance.now() + 400;
    // Block the loop for 60 ms at a time, with short breaks so the sampling timer fires in between.
    while (performance.now() < end) {
      const until = performance.now() + 60;
      while (performance.now() < until) { /* busy */ }
      await new Promise((r) => setTimeout(r, 15));
    }
    const junk: object[] = [];
    for (let i = 0; i < 300_000; i++) junk.push({ i });
    await new Promise((r) => setTimeout(r, 50));
    const f = m.stop();
    expect(f.loopDelayMs.max).toBeGreaterThanOrEqual(40);
    expect(f.loopDelayMs.p99).toBeGreaterThanOrEqual(40);
    expect(f.gc.pauses).toBeGreaterThan(0);
    expect(healthSummary(f, 20).timingWarning).toMatch(/--workers/);
    expect(healthSummary(f, 1e6).timingWarning).toBe('');
  });
});
