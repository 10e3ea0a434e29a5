/**
 * Quantile accuracy and cost (issue 5 §3): our Digest vs exact quantiles vs the npm `tdigest`
 * package, on 1M lognormal values, a bimodal mix, the gap case (Gatling #4715), the gap case
 * at 1M values, an 8-shard merge, and our digest folding a second at a time (closeSecond).
 * Prints markdown tables, the last one the digest's sort against the native one.
 *
 *   node --import tsx bench/quantiles.ts [--runs 5]
 *
 * Relative error = |estimate − exact| / exact, exact = nearest rank on the sorted data.
 * ns/value = CPU time (user + system, process.cpuUsage) of the pushes (and merges, and the
 * quantile queries) divided by the number of values; median (min–max) over the runs. CPU time,
 * not wall time, because the machine is shared. "same every run?" says whether every run gave
 * identical quantiles.
 */
import { createRequire } from 'node:module';
import { Digest } from '../src/metrics/digest.js';
import { Recorder } from '../src/metrics/recorder.js';
import { sortValues } from '../src/metrics/sort-values.js';
import { bimodal, gapCase as gap, lognormal } from './lib/samples.js';

interface WelchDigest { push(x: number): void; percentile(p: number): number; compress(): void }
const require = createRequire(import.meta.url);
const { TDigest } = require('tdigest') as { TDigest: new (delta?: number, K?: number, CX?: number) => WelchDigest };

const QS = [0.5, 0.9, 0.95, 0.99, 0.999] as const;
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 5;

function exact(data: Float64Array, q: number, sorted: Float64Array): number {
  return sorted[Math.max(0, Math.ceil(q * data.length) - 1)];
}

/** `closeEvery`: Digest.closeSecond() before every that many values (a second's samples of one entry at a given rate). */
interface Case { name: string; data: Float64Array; shards: number; closeEvery?: number }
const cases: Case[] = [
  { name: 'lognormal 1M (median 20 ms, σ=1)', data: lognormal(1_000_000, 20, 1, 1), shards: 1 },
  { name: 'bimodal 1M (85 % ~3 ms, 15 % ~400 ms)', data: bimodal(1_000_000, 2), shards: 1 },
  { name: 'gap case (96 × 0–7 ms, 6 × 1,502 ms)', data: gap(96, 6, 3), shards: 1 },
  { name: 'gap case, whole ms', data: gap(96, 6, 3, true), shards: 1 },
  { name: 'gap case ×10⁴ (960k + 60k)', data: gap(960_000, 60_000, 4), shards: 1 },
  { name: 'lognormal 1M, 8 shards merged', data: lognormal(1_000_000, 20, 1, 5), shards: 8 },
  // The recorder closes a second in each entry's digest (src/metrics/stats-entry.ts): 3,333 values
  // a second is one of three routes at 10,000 requests/s; 1,100 just passes the 1,024 a fold needs.
  { name: 'lognormal 1M, a second closed every 3,333 values', data: lognormal(1_000_000, 20, 1, 1), shards: 1, closeEvery: 3333 },
  { name: 'lognormal 1M, a second closed every 1,100 values', data: lognormal(1_000_000, 20, 1, 1), shards: 1, closeEvery: 1100 },
  { name: 'bimodal 1M, a second closed every 1,100 values', data: bimodal(1_000_000, 2), shards: 1, closeEvery: 1100 },
];

type Impl = 'mlop-sim Digest' | 'npm tdigest';
function runOnce(impl: Impl, c: Case): { ns: number; qs: number[] } {
  const { data, shards } = c;
  const per = Math.ceil(data.length / shards);
  const c0 = process.cpuUsage();
  let qs: number[];
  if (impl === 'mlop-sim Digest') {
    const parts: Digest[] = [];
    for (let s = 0; s < shards; s++) {
      const d = new Digest();
      const end = Math.min(data.length, (s + 1) * per);
      const every = c.closeEvery ?? Infinity;
      for (let i = s * per; i < end; i++) {
        if (i % every === 0) d.closeSecond();
        d.push(data[i]);
      }
      parts.push(shards > 1 ? Digest.fromJSON(JSON.parse(JSON.stringify(d.toJSON()))) : d);
    }
    const all = parts[0];
    for (let s = 1; s < shards; s++) all.merge(parts[s]);
    qs = QS.map((q) => all.quantile(q));
  } else {
    const parts: WelchDigest[] = [];
    for (let s = 0; s < shards; s++) {
      const d = new TDigest();
      const end = Math.min(data.length, (s + 1) * per);
      for (let i = s * per; i < end; i++) d.push(data[i]);
      parts.push(d);
    }
    // No merge API: push the other shards' centroids with their weights (what users do).
    const all = parts[0] as WelchDigest & { toArray(): { mean: number; n: number }[]; push_centroid(c: { mean: number; n: number }[]): void };
    for (let s = 1; s < shards; s++) all.push_centroid((parts[s] as typeof all).toArray());
    all.compress();
    qs = QS.map((q) => all.percentile(q));
  }
  return { ns: cpuNs(c0) / data.length, qs };
}

function cpuNs(since: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(since);
  return (u.user + u.system) * 1000;
}

const fmtPct = (x: number): string => `${(x * 100).toFixed(x < 0.001 ? 3 : 2)} %`;
const rows: string[] = [];
rows.push(`| case | impl | ${QS.map((q) => `p${q * 100}`).join(' | ')} | CPU ns/value median (min–max) | same every run? |`);
rows.push(`|---|---|${QS.map(() => '---').join('|')}|---|---|`);
for (const c of cases) {
  const sorted = c.data.slice().sort();
  const truth = QS.map((q) => exact(c.data, q, sorted));
  rows.push(`| ${c.name} | exact | ${truth.map((v) => v.toFixed(3)).join(' | ')} | — | — |`);
  for (const impl of (c.closeEvery ? ['mlop-sim Digest'] : ['mlop-sim Digest', 'npm tdigest']) as Impl[]) {
    const results = Array.from({ length: RUNS }, () => runOnce(impl, c));
    const ns = results.map((r) => r.ns).sort((a, b) => a - b);
    const worst = QS.map((_, i) => results.reduce((m, r) => Math.max(m, Math.abs(r.qs[i] - truth[i]) / truth[i]), 0));
    const same = results.every((r) => r.qs.every((v, i) => v === results[0].qs[i]));
    const cells = worst.map((e, i) => `${fmtPct(e)} (${results[results.length - 1].qs[i].toFixed(c.data.length < 1000 ? 0 : 3)})`);
    rows.push(`| | ${impl} | ${cells.join(' | ')} | ${ns[ns.length >> 1].toFixed(0)} (${ns[0].toFixed(0)}–${ns[ns.length - 1].toFixed(0)}) | ${same ? 'yes' : 'no'} |`);
  }
}
console.log(`Quantile accuracy: worst relative error over ${RUNS} runs (last run's value in brackets)\n`);
console.log(rows.join('\n'));

// The recorder's hot path: record() on 4 entries with a digest and per-second buckets each.
const recNs: number[] = [];
const lat = cases[0].data;
const routes = ['/ingest/metrics', '/ingest/logs', '/ingest/data', '/api/runs/create'];
for (let run = 0; run < RUNS; run++) {
  const rec = new Recorder();
  const c0 = process.cpuUsage();
  for (let i = 0; i < lat.length; i++) rec.record('POST', routes[i & 3], lat[i], (i & 127) !== 0, 200, 'HTTP 500');
  recNs.push(cpuNs(c0) / lat.length);
}
recNs.sort((a, b) => a - b);
console.log(`\nRecorder.record(): CPU ${recNs[recNs.length >> 1].toFixed(0)} ns/call median (${recNs[0].toFixed(0)}–${recNs[recNs.length - 1].toFixed(0)}), 1M calls × ${RUNS} runs, 4 entries`);

// The digest's sort (src/metrics/sort-values.ts) against the native typed-array sort, on the
// buffer sizes a digest sorts: a second's bucket (1,230 at compression 15), a second of one of three
// routes at 10,000 requests/s (3,333), a full buffer (8,200). CPU ns per value, copy included.
const sortRows: string[] = [];
for (const n of [1230, 3333, 8200]) {
  const values = lat.subarray(0, n);
  const reps = Math.ceil(2_000_000 / n);
  const time = (sort: (a: Float64Array) => Float64Array): number[] => Array.from({ length: RUNS }, () => {
    const c0 = process.cpuUsage();
    for (let r = 0; r < reps; r++) sort(values.slice());
    return cpuNs(c0) / (reps * n);
  }).sort((a, b) => a - b);
  const native = time((a) => a.sort()), ours = time(sortValues);
  const med = (xs: number[]): number => xs[xs.length >> 1];
  sortRows.push(`| ${n.toLocaleString('en')} | ${med(native).toFixed(1)} (${native[0].toFixed(1)}–${native[native.length - 1].toFixed(1)}) | ${med(ours).toFixed(1)} (${ours[0].toFixed(1)}–${ours[ours.length - 1].toFixed(1)}) | ${(med(native) / med(ours)).toFixed(2)} |`);
}
console.log(`\nSorting a digest's buffer (lognormal values, ${RUNS} runs of ≥ 2M values): CPU ns per value, median (min–max)\n`);
console.log(['| values | Float64Array sort() | sortValues() | ratio |', '|---|---|---|---|', ...sortRows].join('\n'));
