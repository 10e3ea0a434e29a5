import { describe, expect, it } from 'vitest';
import { isHttpEntry } from '../../src/core/entry-names.js';
import { distributionsOf, readDistributions } from '../../src/metrics/distributions.js';
import { Recorder } from '../../src/metrics/recorder.js';
import { mergeSegments } from '../../src/run/distributed/merge.js';
import type { SegmentResult } from '../../src/run/distributed/segment-result.js';

const T0 = 1_700_000_000_000; // a multiple of 5 s

/** A recorder on a hand-driven clock that records `perSecond` requests each second for `seconds`. */
function recorded(seconds: number, perSecond: number, startMs = T0, failEvery = 0): Recorder {
  const clock = { ms: startMs };
  const rec = new Recorder({ now: () => clock.ms });
  let n = 0;
  for (let s = 0; s < seconds; s++) {
    for (let i = 0; i < perSecond; i++) {
      clock.ms = startMs + s * 1000 + (i * 1000) / perSecond;
      n++;
      rec.record('POST', '/ingest/metrics', 10 + (n % 17), failEvery === 0 || n % failEvery !== 0);
    }
  }
  return rec;
}

const ENTRIES = [{ name: 'Aggregated', select: isHttpEntry }, { name: 'POST /ingest/metrics', select: ['POST /ingest/metrics'] }];

describe('saved distributions', () => {
  it('5 s windows aligned on the epoch with every sample and failure in them (a run of 150 s or more)', () => {
    const d = distributionsOf(recorded(23, 40, T0, 10), ENTRIES, 150);
    const e = d.entries['POST /ingest/metrics'];
    expect(d).toMatchObject({ version: 1, windowS: 5 });
    expect(e.windows.map((w) => [w.t - T0 / 1000, w.span])).toEqual([[0, 5], [5, 5], [10, 5], [15, 5], [20, 5]]);
    expect(e.windows.map((w) => w.count)).toEqual([200, 200, 200, 200, 120]);
    expect(e.windows.reduce((n, w) => n + w.failures, 0)).toBe(e.failures);
    expect(e.failures).toBe(92);
    for (const w of e.windows) expect(w.c.filter((_, i) => i % 2 === 1).reduce((a, b) => a + b, 0)).toBe(w.count);
    expect(e.digest.count).toBe(920);
    expect(readDistributions(JSON.parse(JSON.stringify({ distributions: d })))).toEqual(d);
  });

  it('shorter runs get narrower windows, about 30 of them: 1 s for 30 s, 2 s for 60 s', () => {
    expect(distributionsOf(recorded(30, 10), ENTRIES, 30).entries['POST /ingest/metrics'].windows).toHaveLength(30);
    const d = distributionsOf(recorded(60, 10), ENTRIES, 60);
    expect(d.windowS).toBe(2);
    expect(d.entries['POST /ingest/metrics'].windows.map((w) => w.span)).toEqual(Array(30).fill(2));
  });

  it('a 10-minute run: its first five minutes as 60 s windows, the last five as 5 s windows, and a file of sane size', () => {
    const d = distributionsOf(recorded(600, 200), ENTRIES, 600);
    const w = d.entries['POST /ingest/metrics'].windows;
    expect(w.filter((x) => x.span === 60).length).toBeGreaterThanOrEqual(5);
    expect(w.filter((x) => x.span === 5).length).toBeGreaterThanOrEqual(59);
    expect(w.reduce((n, x) => n + x.count, 0)).toBe(600 * 200);
    // Two entries of 120,000 samples each: well under 100 KB each as JSON.
    expect(JSON.stringify(d).length).toBeLessThan(200_000);
  });

  it('workers merge: the merged recorder has the windows of both, counts added', () => {
    const a = recorded(12, 30), b = recorded(12, 20, T0 + 300);
    const part = (rec: Recorder, index: number): SegmentResult => ({
      segment: { index, count: 2 } as SegmentResult['segment'], startedAtMs: T0, durationS: 12, interrupted: false, stats: rec.snapshot(), runs: [], storageChecked: false,
    });
    const merged = mergeSegments([part(a, 0), part(b, 1)], 2);
    const d = distributionsOf(merged.recorder, ENTRIES, 150).entries['POST /ingest/metrics'];
    const da = distributionsOf(a, ENTRIES, 150).entries['POST /ingest/metrics'], db = distributionsOf(b, ENTRIES, 150).entries['POST /ingest/metrics'];
    expect(d.windows.map((w) => w.count)).toEqual(da.windows.map((w, i) => w.count + db.windows[i].count));
    expect(d.count).toBe(12 * 50);
  });

  it('refuses distributions of an unknown version or a malformed window, in one clause', () => {
    expect(readDistributions({ distributions: { version: 2, entries: {} } })).toBe('its distributions are of version 2, this mlop-sim reads version 1');
    expect(readDistributions({ distributions: { version: 1, entries: { x: { count: 1, failures: 0, windows: [{ count: 1, failures: 0, c: [1] }], digest: { centroids: [], samples: [] } } } } }))
      .toBe('its distribution of "x" has a malformed window');
    expect(readDistributions({})).toBeUndefined();
  });
});
