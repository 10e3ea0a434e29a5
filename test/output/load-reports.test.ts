/** What the reports say about a load model: the live line's target and drops, the history CSV's Target column, the final table's open-model lines. */
import { describe, expect, it } from 'vitest';
import { formatFinalTable } from '../../src/output/console/final-table.js';
import { formatLiveLine } from '../../src/output/console/live-line.js';
import { statsHistoryCsv } from '../../src/output/locust/csv.js';
import { Recorder } from '../../src/metrics/recorder.js';
import { makeResult } from './fixture.js';

describe('load model in the reports', () => {
  it('the live line shows the target and the drops under an arrival rate, and nothing more without', () => {
    const base = { elapsedS: 12, users: 40, rps: 99.5, p50Ms: 1.2, p95Ms: 30, failures: 0, failRate: 0, judged: 'Aggregated' };
    expect(formatLiveLine({ ...base, load: { target: 'stage 2/3 → 80 it/s', dropped: 7 } })).toMatch(/\| target stage 2\/3 → 80 it\/s \| dropped 7$/);
    expect(formatLiveLine(base)).not.toMatch(/target|dropped/);
  });

  it('the history CSV gains a last Target column only when the load had a target', () => {
    const plain = makeResult();
    expect(statsHistoryCsv(plain).split(/\r?\n/)[0]).not.toMatch(/Target/);
    const ramped = makeResult();
    ramped.history['Aggregated'] = ramped.history['Aggregated'].map((p, i) => ({ ...p, target: 10 * i }));
    const lines = statsHistoryCsv(ramped).trim().split(/\r?\n/);
    expect(lines[0].endsWith(',Target')).toBe(true);
    const last = lines[lines.length - 1].split(',');
    expect(last[1 + 2]).toBe('Aggregated');
    expect(last[last.length - 1]).toBe(String(10 * (ramped.history['Aggregated'].length - 1)));
  });

  it('the final table names the load, the drops and which latency is corrected', () => {
    const r = makeResult();
    r.load = { executor: 'constant-arrival-rate', description: '100 iterations/s for 60 s', iteration: 'task', onSaturation: 'drop' };
    r.dropped_iterations = 290;
    r.corrected = { p50_ms: 1, p95_ms: 2, p99_ms: 2400 };
    const text = formatFinalTable(r);
    expect(text).toContain('Load: constant-arrival-rate, 100 iterations/s for 60 s');
    expect(text).toMatch(/Open model: 290 dropped iterations; iteration latency from the intended start \(corrected, wrk2\) p50 1(\.0+)? ms, p95 2(\.0+)? ms, p99 2,?400/);
    expect(formatFinalTable(makeResult())).not.toContain('Open model');
  });

  it('the recorder carries the target per second and sums it when snapshots merge', () => {
    let now = 1_000_000;
    const a = new Recorder({ now: () => now });
    a.setTarget(25);
    a.record('POST', '/x', 1, true);
    now += 1000;
    a.setTarget(50);
    a.record('POST', '/x', 1, true);
    expect(a.history('all', () => true).map((p) => p.target)).toEqual([25, 50]);
    const merged = new Recorder({ now: () => now });
    merged.mergeSnapshot(a.snapshot());
    merged.mergeSnapshot(a.snapshot());
    expect(merged.history('all', () => true).map((p) => p.target)).toEqual([50, 100]);
  });
});
