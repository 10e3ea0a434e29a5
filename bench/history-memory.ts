/**
 * history-memory: what the recorder's per-second history costs in heap as a run gets long, on a
 * hand-driven clock (no load, no network: an hour of history in a few seconds). Five entries get
 * 125 samples a second each — about what the default sdk scenario records (bench/soak.ts found
 * ~4.5 one-second buckets a second) — and the heap after a full GC is printed every 10 simulated
 * minutes. Isolates the history from everything else the soak measures.
 *
 *   node --import tsx --expose-gc bench/history-memory.ts [--minutes 60] [--per-second 125]
 *
 * It runs on builds from before the fold too (their history keeps every second): check out such a
 * commit's src/ and run the same file to compare.
 */
import { mulberry32 } from '../src/core/random.js';
import { Recorder } from '../src/metrics/recorder.js';
import * as timeSeries from '../src/metrics/time-series.js';
import { numberArg } from './lib/args.js';

const MINUTES = numberArg('--minutes', 60);
const PER_SECOND = numberArg('--per-second', 125);
const ENTRIES = ['POST /ingest/metrics', 'POST /ingest/logs', 'E2E log→ack', 'SDK run.log', 'ITERATION'];

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  process.stderr.write('history-memory: run with --expose-gc\n');
  process.exit(2);
}
const heapMB = (): number => (gc(), process.memoryUsage().heapUsed / 2 ** 20);

const clock = { ms: 1_700_000_000_000 };
const rec = new Recorder({ now: () => clock.ms });
const random = mulberry32(7);
const base = heapMB();
const rows: string[] = [];
let previous = base;
for (let s = 1; s <= MINUTES * 60; s++) {
  for (let i = 0; i < PER_SECOND; i++) {
    clock.ms += 1000 / PER_SECOND;
    for (const name of ENTRIES) rec.record('POST', name, 5 + random() * 40, true, 100);
  }
  if (s % 600 === 0) {
    const h = heapMB();
    rows.push(`| ${s / 60} | ${(h - base).toFixed(2)} | ${(h - previous).toFixed(2)} |`);
    previous = h;
  }
}
const points = rec.history('Aggregated', () => true).length;
console.log(`### History memory: ${ENTRIES.length} entries × ${PER_SECOND} samples/s, ${MINUTES} simulated minutes (one-second buckets kept: ${'FINE_SECONDS' in timeSeries ? `the last ${timeSeries.FINE_SECONDS} s` : 'all'})\n`);
console.log('| simulated minutes | heap over the start, after GC (MB) | growth in these 10 minutes (MB) |');
console.log('|---|---|---|');
for (const r of rows) console.log(r);
console.log(`\nHistory points at the end: ${points}.`);
