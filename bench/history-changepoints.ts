/**
 * Issue 21 (history) — does `history check` find a real +5 % latency shift where it starts, and
 * stay quiet when nothing changed?
 *
 * A pool of REAL results: runs of the built CLI against its embedded server (http scenario,
 * 10 users, 10 s, no wait), 36 with the server's latency lognormal:20:0.5 ("A") and 12 with
 * lognormal:21:0.5 ("B": the median +5 %). Series are built from the pool by permutation (the
 * pool is reused, so the series are not independent of each other):
 *
 *   shift  20 distinct A results in random order, then 10 distinct B results: the change should
 *          be found at result 21 (0-based index 20) ± 1, as a regression
 *   A/A    30 distinct A results in random order: no change point should be found
 *   lag    the shift series cut after 20 + k results: how many slow results it takes before the
 *          change is found (what `--window` must cover)
 *
 * Every series goes through the real path: recordOfResult() of each latest.json, then
 * checkHistory() with the CLI's defaults (E-divisive means, 199 permutations, p ≤ 0.01).
 * Beside it, the test's level on Gaussian noise (3,000 series of 30).
 *
 * Usage: node --import tsx bench/history-changepoints.ts [--series 200] [--pool bench/out/history-pool]
 * The pool's runs are made once (about 10 minutes) and reused; delete the folder to re-take them.
 */
import { readFileSync } from 'node:fs';
import { createRandom, type RandomSource } from '../src/core/random.js';
import { checkHistory } from '../src/history/check.js';
import { recordOfResult, type HistoryMetric, type HistoryRecord } from '../src/history/record.js';
import { eDivisive } from '../src/metrics/statistics/change-points.js';
import { numberArg } from './lib/args.js';
import { ensurePool } from './lib/result-pool.js';

const SERIES = numberArg('--series', 200);
const argv = process.argv.slice(2);
const POOL = argv.includes('--pool') ? argv[argv.indexOf('--pool') + 1] : 'bench/out/history-pool';
const RUN = ['--scenario', 'http', '-u', '10', '-t', '10s', '--wait', '0'];
const log = (line: string): void => void process.stderr.write(`history-changepoints: ${line}\n`);

const aFiles = await ensurePool(POOL, { name: 'base', runs: 36, args: [...RUN, '--server-latency', 'lognormal:20:0.5'] }, log);
const bFiles = await ensurePool(POOL, { name: 'shift', runs: 12, args: [...RUN, '--server-latency', 'lognormal:21:0.5'] }, log);
const load = (f: string): HistoryRecord => recordOfResult(JSON.parse(readFileSync(f, 'utf8')), f, null);
const A = aFiles.map(load);
const B = bFiles.map(load);

/** k distinct items of xs in random order. */
function draw<T>(xs: readonly T[], k: number, r: RandomSource): T[] {
  const copy = [...xs];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = r.int(0, i);
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy.slice(0, k);
}

/** The records as a history: consecutive times (the pool's own times would sort A before B), labels r1…rN. */
function asHistory(recs: readonly HistoryRecord[]): HistoryRecord[] {
  return recs.map((r, i) => ({ ...r, time: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(), label: `r${i + 1}` }));
}

const pct = (n: number, d: number): string => `${((100 * n) / d).toFixed(1)} %`;
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const cv = (xs: number[]): number => Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1)) / mean(xs);
const QUANTILES: HistoryMetric[] = ['p50_ms', 'p95_ms', 'p99_ms'];
const ALL: HistoryMetric[] = ['p50_ms', 'p95_ms', 'p99_ms', 'error_rate', 'rps'];

const lines: string[] = ['### history-changepoints', ''];
lines.push(`Pool: ${A.length} results at lognormal:20:0.5 (A), ${B.length} at lognormal:21:0.5 (B); each \`mlop-sim ${RUN.join(' ')}\` against the embedded server. ${SERIES} series of each kind, built from the pool by permutation (seeded; series share results, so they are not independent).`, '');
lines.push('Run-to-run spread of the pool (Aggregated), and the shift B shows over A:', '');
lines.push('| figure | mean A | CV A (per run) | mean B | B vs A |', '|---|---:|---:|---:|---:|');
for (const m of ALL) {
  const a = A.map((r) => r.entries.Aggregated[m]);
  const b = B.map((r) => r.entries.Aggregated[m]);
  lines.push(`| ${m} | ${mean(a).toFixed(2)} | ${mean(a) ? `${(100 * cv(a)).toFixed(1)} %` : '—'} | ${mean(b).toFixed(2)} | ${mean(a) ? `${((mean(b) / mean(a) - 1) * 100).toFixed(1)} %` : '—'} |`);
}

// Shift series: where is the change found?
const random = createRandom(2026);
const found: Record<string, { at: number; elsewhere: number; regression: number }> = {};
for (const m of ALL) found[m] = { at: 0, elsewhere: 0, regression: 0 };
const shiftSeries: HistoryRecord[][] = [];
for (let s = 0; s < SERIES; s++) {
  const history = asHistory([...draw(A, 20, random), ...draw(B, 10, random)]);
  shiftSeries.push(history);
  const check = checkHistory(history, { entries: ['Aggregated'], window: 30 });
  for (const m of ALL) {
    const cps = check.changes.filter((c) => c.metric === m);
    const near = cps.filter((c) => Math.abs(c.run - 20) <= 1);
    if (near.length > 0) found[m].at++;
    if (near.some((c) => c.direction === 'regression')) found[m].regression++;
    if (cps.length > near.length) found[m].elsewhere++;
  }
}
lines.push('', `**+5 % shift after result 20 of 30** (Aggregated; ${SERIES} series):`, '');
lines.push('| figure | change found at result 21 ± 1 | … as a regression | series with a change point elsewhere |', '|---|---:|---:|---:|');
for (const m of ALL) lines.push(`| ${m} | ${pct(found[m].at, SERIES)} | ${pct(found[m].regression, SERIES)} | ${pct(found[m].elsewhere, SERIES)} |`);

// A/A: any change point?
const aa: Record<string, number> = {};
let checksWithAny = 0;
const failing: Record<number, number> = { 1: 0, 5: 0 };
let seriesAll = 0;
let seriesAny = 0;
for (let s = 0; s < SERIES; s++) {
  const history = asHistory(draw(A, 30, random));
  const check = checkHistory(history, { window: 30 });
  for (const w of [1, 5]) if (!checkHistory(history, { window: w }).pass) failing[w]++;
  seriesAll += check.series;
  const keys = new Set(check.changes.map((c) => `${c.entry}|${c.metric}`));
  seriesAny += keys.size;
  if (keys.size > 0) checksWithAny++;
  for (const m of ALL) if (keys.has(`Aggregated|${m}`)) aa[m] = (aa[m] ?? 0) + 1;
}
lines.push('', `**A/A: 30 results, no change** (${SERIES} series):`, '');
lines.push('| figure (Aggregated) | series with a change point |', '|---|---:|');
for (const m of ALL) lines.push(`| ${m} | ${pct(aa[m] ?? 0, SERIES)} |`);
lines.push('', `Over every entry × figure the check looks at (${seriesAll / SERIES} series per check: Aggregated and the 3 routes × 5 figures): ${pct(seriesAny, seriesAll)} of series had a change point; ${pct(checksWithAny, SERIES)} of checks had at least one somewhere. The check (all 20 series) failed in ${pct(failing[1], SERIES)} of A/A histories with \`--window 1\` and ${pct(failing[5], SERIES)} with \`--window 5\`.`);

// Lag: after how many slow results is the change found?
lines.push('', `**Lag**: the shift series cut after 20 + k results; share in which the change is found at result 21 ± 1 (Aggregated; ${SERIES} series):`, '');
const KS = [1, 2, 3, 5, 7, 10];
lines.push(`| figure | ${KS.map((k) => `k = ${k}`).join(' | ')} |`, `|---|${KS.map(() => '---:').join('|')}|`);
for (const m of QUANTILES) {
  const cells = KS.map((k) => {
    let hit = 0;
    for (const h of shiftSeries) if (checkHistory(h.slice(0, 20 + k), { entries: ['Aggregated'], metrics: [m], window: 30 }).changes.some((c) => Math.abs(c.run - 20) <= 1)) hit++;
    return pct(hit, SERIES);
  });
  lines.push(`| ${m} | ${cells.join(' | ')} |`);
}
// What CI sees: one check per push; has `history check --window 5` (all entries and figures) failed by the k-th slow result?
const firstFail = shiftSeries.map((h) => {
  for (let k = 1; k <= 10; k++) if (!checkHistory(h.slice(0, 20 + k), { window: 5 }).pass) return k;
  return Infinity;
});
lines.push(`| CI: \`check --window 5\` (all 20 series) has failed by then | ${KS.map((k) => pct(firstFail.filter((f) => f <= k).length, SERIES)).join(' | ')} |`);

// The test's level on Gaussian noise.
const noise = createRandom(99);
let falseAlarms = 0;
for (let s = 0; s < 3000; s++) {
  const xs = Array.from({ length: 30 }, () => Math.sqrt(-2 * Math.log(1 - noise.next())) * Math.cos(2 * Math.PI * noise.next()));
  if (eDivisive(xs).length > 0) falseAlarms++;
}
lines.push('', `Level on Gaussian noise (3,000 series of 30, p ≤ 0.01): ${pct(falseAlarms, 3000)} of series with a change point.`);
console.log(lines.join('\n'));
