import { describe, expect, it } from 'vitest';
import { Recorder } from '../../src/metrics/recorder.js';
import type { TimeSeriesPoint } from '../../src/metrics/result.js';

// The live page asks for the last seconds of every history each second (Recorder.history with
// fromT); seconds whose samples did not change are merged once and kept (merged-buckets.ts).
// What it shows must be what a history merged afresh shows, however often it asks.
const ROUTES = ['/ingest/metrics', '/ingest/logs', '/ingest/data'];
const perSecond = (p: TimeSeriesPoint) => ({ t: p.t, users: p.users, requests: p.requests, failures: p.failures, p50Ms: p.p50Ms, p95Ms: p.p95Ms, p99Ms: p.p99Ms, quantilesMs: p.quantilesMs });

describe('Recorder history for the live page', () => {
  it('answers every recent request as the whole history merged afresh does, as samples arrive, seconds end and stats reset', () => {
    const clock = { ms: 1_700_000_000_000 };
    const rec = new Recorder({ now: () => clock.ms });
    let i = 0, reads = 0; // reads that had points to compare
    const check = (): void => {
      const fromT = Math.floor(clock.ms / 1000) - 3;
      for (const [label, select] of [['Aggregated', () => true], ['one', ['POST /ingest/logs']]] as const) {
        const recent = rec.history(label, select, fromT);
        const fresh = rec.history(label, select).filter((p) => p.t >= fromT);
        expect(recent.map(perSecond)).toEqual(fresh.map(perSecond));
        if (recent.length > 0) reads++;
      }
    };
    for (let slice = 0; slice < 12 * 8; slice++) {
      // 2,000 samples a second in 125 ms slices, a read after each: several reads of the same
      // second, some of it unchanged since the last one (after the stop below, all of them).
      const busy = slice < 70 || slice >= 80;
      for (let k = 0; busy && k < 250; k++, i++) rec.record('POST', ROUTES[i % 3], 0.2 + ((i * 7919) % 997) / 37, i % 41 !== 0);
      if (slice === 60) rec.reset();
      rec.setUsers(slice >> 3);
      check();
      if (slice % 3 === 0) check(); // asked twice with nothing new: the kept seconds answer
      clock.ms += 125;
    }
    expect(reads).toBeGreaterThan(200);
  });
});
