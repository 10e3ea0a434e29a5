/**
 * The results history (src/history/): what a record keeps of a latest.json, the JSON-lines
 * store (and its refusal of a file that is not one), and the check's change points, directions
 * and window verdict, text and HTML.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRandom } from '../../src/core/random.js';
import { checkHistory } from '../../src/history/check.js';
import { addToHistory, readAndCheck, showHistory } from '../../src/history/history.js';
import { historyHtml } from '../../src/history/html-page.js';
import { JsonLinesStore } from '../../src/history/jsonl-store.js';
import { HISTORY_FORMAT, recordOfResult, type EntryFigures, type HistoryRecord } from '../../src/history/record.js';

const dir = (): string => mkdtempSync(join(tmpdir(), 'history-test-'));

function row(name: string, method: string, p50: number, count = 1000, failures = 0, rps = 100) {
  const percentiles = { p50, p66: p50, p75: p50, p80: p50, p90: p50, p95: p50 * 2, p98: p50 * 2, p99: p50 * 3, 'p99.9': p50 * 3, 'p99.99': p50 * 3, p100: p50 * 4 };
  return { name, method, route: name.replace(/^\S+ /, ''), count, failures, rps, failuresPerS: 0, minMs: 1, avgMs: p50, maxMs: p50 * 4, bytes: 0, avgBytes: 0, percentiles };
}

/** A latest.json as the http scenario writes it (only the fields a record reads, plus a few). */
function latest(p50: number, startedAt: string, extra: Record<string, unknown> = {}) {
  return {
    p50_ms: p50, scenario: 'http', seed: 7, startedAt, durationS: 10, judged: ['Aggregated'], pass: true,
    aggregated: row('Aggregated', '', p50, 3000, 30, 300),
    entries: [row('POST /ingest/metrics', 'POST', p50), row('SDK run.log (metrics)', 'SDK', 0.01), row('E2E log→ack', 'E2E', 900)],
    ...extra,
  };
}

function noisy(seed: number, n: number, level: (i: number) => number, sd: number): number[] {
  const r = createRandom(seed);
  return Array.from({ length: n }, (_, i) => level(i) + sd * Math.sqrt(-2 * Math.log(1 - r.next())) * Math.cos(2 * Math.PI * r.next()));
}

function records(values: Partial<Record<keyof EntryFigures, number[]>>, n: number): HistoryRecord[] {
  return Array.from({ length: n }, (_, i) => {
    const f: EntryFigures = { p50_ms: 20, p95_ms: 45, p99_ms: 65, error_rate: 0, rps: 400, count: 4000 };
    for (const [k, xs] of Object.entries(values)) f[k as keyof EntryFigures] = (xs as number[])[i];
    return { format: HISTORY_FORMAT, time: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(), label: `c${i + 1}`, scenario: 'http', seed: 1, durationS: 10, pass: true, entries: { Aggregated: f } };
  });
}

describe('a history record', () => {
  it('keeps the judged entries and the HTTP routes (not SDK calls or E2E delays) with p50/p95/p99, error rate and throughput', () => {
    const rec = recordOfResult(latest(20, '2026-01-01T00:00:00.000Z'), 'latest.json', 'abc');
    expect(Object.keys(rec.entries)).toEqual(['Aggregated', 'POST /ingest/metrics']);
    expect(rec.entries.Aggregated).toEqual({ p50_ms: 20, p95_ms: 40, p99_ms: 60, error_rate: 0.01, rps: 300, count: 3000 });
    expect(rec).toMatchObject({ format: 'mlop-sim-history/1', label: 'abc', scenario: 'http', time: '2026-01-01T00:00:00.000Z', pass: true });
  });

  it('refuses an interrupted run unless forced', () => {
    const r = latest(20, '2026-01-01T00:00:00Z', { interrupted: true });
    expect(() => recordOfResult(r, 'latest.json', null)).toThrow('latest.json is of an interrupted run, whose figures cover only part of the load: pass --force to add it anyway.');
    expect(recordOfResult(r, 'latest.json', null, true).entries.Aggregated.p50_ms).toBe(20);
  });

  it('refuses a file that is not a latest.json with one sentence', () => {
    expect(() => recordOfResult({ name: 'x' }, 'package.json', null)).toThrow('package.json is not a latest.json of mlop-sim (no "entries" list of stats rows).');
    expect(() => recordOfResult([], 'a.json', null)).toThrow(/not a JSON object/);
  });
});

describe('the JSON-lines store', () => {
  it('appends records and reads them back; a missing file is an empty history', async () => {
    const file = join(dir(), 'sub', 'h.jsonl');
    const store = new JsonLinesStore(file);
    expect(await store.read()).toEqual([]);
    const [a, b] = records({}, 2);
    await store.append(a);
    await store.append(b);
    expect(await store.read()).toEqual([a, b]);
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(2);
  });

  it('is refused (exit 2) naming the first line that is not a record, and is never appended to', async () => {
    const file = join(dir(), 'h.jsonl');
    writeFileSync(file, JSON.stringify(records({}, 1)[0]) + '\n\nnot json\n');
    const store = new JsonLinesStore(file);
    await expect(store.read()).rejects.toMatchObject({ exitCode: 2, message: `${file} is not a history store: line 3 is not JSON.` });
    await expect(store.append(records({}, 1)[0])).rejects.toMatchObject({ exitCode: 2 });
    expect(readFileSync(file, 'utf8').split('\n')).toHaveLength(4);
    writeFileSync(file, '{"format":"mlop-sim-history/1","time":"2026-01-01T00:00:00Z","label":null,"scenario":"http","entries":{"A":{"p50_ms":1}}}\n');
    await expect(store.read()).rejects.toThrow(`${file} is not a history store: line 1 is not a history record (entry "A" has no number "p95_ms").`);
  });

  it('history add reads a latest.json into the store; check on an empty store is a usage error', async () => {
    const d = dir();
    const result = join(d, 'latest.json');
    writeFileSync(result, JSON.stringify(latest(20, '2026-01-01T00:00:00Z')));
    const added = await addToHistory({ result, label: 'c1', store: { file: join(d, 'h.jsonl') } });
    expect(added).toMatchObject({ results: 1, store: join(d, 'h.jsonl') });
    await expect(addToHistory({ result: join(d, 'nope.json'), store: { file: join(d, 'h.jsonl') } })).rejects.toThrow(`the result file ${join(d, 'nope.json')} does not exist.`);
    await expect(readAndCheck({ store: { file: join(d, 'empty.jsonl') } })).rejects.toMatchObject({ exitCode: 2 });
  });
});

describe('history check', () => {
  const step = noisy(5, 30, (i) => (i >= 20 ? 21 : 20), 0.15); // +5 % after result 20

  it('reports a latency step as a regression at its first result, with its size; it fails only when within the window', () => {
    const check = checkHistory(records({ p50_ms: step }, 30), { window: 10 });
    const [c] = check.changes;
    expect(check.changes).toHaveLength(1);
    expect(c).toMatchObject({ entry: 'Aggregated', metric: 'p50_ms', run: 20, label: 'c21', direction: 'regression', gates: true });
    expect(c.changePct).toBeGreaterThan(3.5);
    expect(c.changePct).toBeLessThan(6.5);
    expect(check.pass).toBe(false);
    const outside = checkHistory(records({ p50_ms: step }, 30), { window: 9 });
    expect(outside.changes).toHaveLength(1);
    expect(outside.pass).toBe(true);
  });

  it('calls throughput down a regression and latency down an improvement; error rate up a regression', () => {
    const down = noisy(6, 30, (i) => (i >= 15 ? 380 : 400), 2);
    const faster = noisy(7, 30, (i) => (i >= 15 ? 18 : 20), 0.15);
    const errors = noisy(8, 30, (i) => (i >= 15 ? 0.02 : 0.001), 0.001);
    const check = checkHistory(records({ rps: down, p50_ms: faster, error_rate: errors }, 30), { window: 30 });
    const by = (m: string) => check.changes.find((c) => c.metric === m);
    expect(by('rps')).toMatchObject({ run: 15, direction: 'regression' });
    expect(by('p50_ms')).toMatchObject({ run: 15, direction: 'improvement', gates: false });
    expect(by('error_rate')).toMatchObject({ run: 15, direction: 'regression' });
  });

  it('finds nothing in steady figures, is the same on every call, and refuses an unknown entry or window', () => {
    const flat = checkHistory(records({ p50_ms: noisy(9, 30, () => 20, 0.15) }, 30));
    expect(flat.changes).toEqual([]);
    expect(flat.pass).toBe(true);
    expect(flat.series).toBe(5);
    expect(checkHistory(records({ p50_ms: step }, 30))).toEqual(checkHistory(records({ p50_ms: step }, 30)));
    expect(() => checkHistory(records({}, 3), { entries: ['Nope'] })).toThrow('no result in the history has an entry named "Nope" (it has: "Aggregated").');
    expect(() => checkHistory(records({}, 3), { window: 0 })).toThrow(/--window/);
  });

  it('orders results by their run time, not by when they were added', () => {
    const recs = records({ p50_ms: step }, 30);
    const check = checkHistory([...recs.slice(20), ...recs.slice(0, 20)], { window: 10 });
    expect(check.changes[0]).toMatchObject({ run: 20, label: 'c21' });
  });

  it('checks one scenario: the only one, or the one named; several without a name is a usage error', () => {
    const recs = records({ p50_ms: step }, 30);
    const mixed = [...recs, { ...recs[0], scenario: 'stress', time: '2027-01-01T00:00:00.000Z' }];
    expect(() => checkHistory(mixed)).toThrow('the history holds results of several scenarios (http, stress); pick one with --scenario.');
    expect(checkHistory(mixed, { scenario: 'http', window: 10 }).changes[0]).toMatchObject({ run: 20 });
    expect(() => checkHistory(recs, { scenario: 'sdk' })).toThrow('the history holds no result of scenario "sdk" (it has: http).');
  });

  it('--last keeps the newest results only (their numbers count from the first kept)', () => {
    const check = checkHistory(records({ p50_ms: step }, 30), { last: 15, window: 10 });
    expect(check.records).toHaveLength(15);
    expect(check.changes[0]).toMatchObject({ run: 5, label: 'c21' });
    expect(() => checkHistory(records({}, 5), { last: 2 })).toThrow(/--last/);
  });

  it('min-change drops change points smaller than it', () => {
    expect(checkHistory(records({ p50_ms: step }, 30), { minChangePct: 10 }).changes).toEqual([]);
  });
});

describe('history show', () => {
  it('prints one table per entry with the change points at their result, or writes an HTML page marking them', async () => {
    const d = dir();
    const file = join(d, 'h.jsonl');
    const step = noisy(5, 30, (i) => (i >= 20 ? 21 : 20), 0.15);
    writeFileSync(file, records({ p50_ms: step }, 30).map((r) => JSON.stringify(r)).join('\n') + '\n');
    const shown = await showHistory({ store: { file } });
    const line21 = shown.text.split('\n').find((l) => l.startsWith('21 '));
    expect(line21).toContain('c21');
    expect(line21).toContain('▲ p50 +');
    expect(shown.text).toContain('PASS: no regression starts within the last 5 results (1 change point in 30 results).');
    const html = join(d, 'out', 'history.html');
    expect(await showHistory({ store: { file }, html })).toMatchObject({ file: html });
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('class="change-point regression" data-metric="p50_ms" data-result="21"');
    expect(page).not.toMatch(/<script|https?:\/\//);
  });

  it('escapes labels in the page', () => {
    const recs = records({}, 3);
    recs[0].label = '<img src=x onerror=alert(1)>';
    expect(historyHtml(checkHistory(recs), ['Aggregated'], 'h.jsonl')).not.toContain('<img');
  });
});
