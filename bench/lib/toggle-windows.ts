/**
 * The statistics of bench/web-toggle.ts's windows, apart so that bench/lib/toggle-coverage.ts
 * checks the same functions against takes with a known rise.
 */
import { readFileSync } from 'node:fs';
import { mulberry32 } from '../../src/core/random.js';
import { studentQuantile } from '../../src/metrics/statistics/student-t.js';
import { spread } from './proc.js';

/** One window of a run: with pages or not, the generator's CPU per request (all threads, main, the rest) and per second. */
export interface Window { pages: boolean; cpuUs: number; mainUs: number; othersUs: number; msPerS: number; mainMsPerS: number }

/**
 * Each window with pages against the mean of its two neighbours without: the rise of `key`, in %
 * of their CPU per request, and the rise of the CPU per second in ms.
 */
export function brackets(ws: Window[], key: 'cpuUs' | 'mainUs' | 'othersUs'): { risePct: number; msPerS: number; mainMsPerS: number }[] {
  const out: { risePct: number; msPerS: number; mainMsPerS: number }[] = [];
  for (let i = 1; i + 1 < ws.length; i++) {
    if (!ws[i].pages) continue;
    const base = (ws[i - 1][key] + ws[i + 1][key]) / 2;
    const baseTotal = (ws[i - 1].cpuUs + ws[i + 1].cpuUs) / 2;
    out.push({ risePct: ((ws[i][key] - base) / baseTotal) * 100, msPerS: ws[i].msPerS - (ws[i - 1].msPerS + ws[i + 1].msPerS) / 2,
      mainMsPerS: ws[i].mainMsPerS - (ws[i - 1].mainMsPerS + ws[i + 1].mainMsPerS) / 2 });
  }
  return out;
}

/**
 * A 95 % percentile-bootstrap interval of the median rise (Efron & Tibshirani 1993, ch. 13),
 * resampling whole runs with their windows (a cluster bootstrap, Davison & Hinkley 1997 §3.8):
 * windows of one process are not independent of each other, runs are.
 */
export function runBootstrap(runs: number[][], resamples = 10_000): [number, number] {
  const rng = mulberry32(24);
  const medians: number[] = [];
  for (let b = 0; b < resamples; b++) {
    const xs: number[] = [];
    for (let i = 0; i < runs.length; i++) xs.push(...runs[Math.floor(rng() * runs.length)]);
    if (xs.length > 0) medians.push(spread(xs).median);
  }
  medians.sort((a, b) => a - b);
  return [medians[Math.floor(0.025 * medians.length)], medians[Math.ceil(0.975 * medians.length) - 1]];
}

/**
 * The runs earlier takes wrote to stderr (`run i/N CLI: windows µs/req -41.49 +39.88 ...`, a
 * window's sign saying whether pages were open), each window's CPU per request to 0.01 µs; only
 * that is printed per window, so the other fields are NaN.
 */
export function readRuns(logs: string[]): Window[][] {
  const runs: Window[][] = [];
  for (const log of logs) {
    for (const line of readFileSync(log, 'utf8').split('\n')) {
      const m = /^run \d+\/\d+ \S+: windows µs\/req ([^;]+);/.exec(line);
      if (!m) continue;
      runs.push(m[1].trim().split(/\s+/).map((tok) => ({ pages: tok.startsWith('+'), cpuUs: Number(tok.slice(1)), mainUs: NaN, othersUs: NaN, msPerS: NaN, mainMsPerS: NaN })));
    }
  }
  if (runs.length === 0) throw new Error(`no run lines (\`run i/N CLI: windows µs/req ...\`) in ${logs.join(', ')}`);
  return runs;
}

/**
 * The distribution-free 95 % interval of a median from order statistics (the sign test's
 * interval, Conover 1999 §3.2): the k-th smallest to the k-th largest, k the largest with
 * P(Binomial(n, ½) < k) ≤ 0.025. It takes the values as independent, which windows of one run
 * are not (neighbouring rises share a window); bench/lib/toggle-coverage.ts found it wide all the
 * same (it held the known median in 97.0 % of takes).
 */
export function signTestInterval(xs: number[]): [number, number] {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  let k = 0, below = 0, p = 2 ** -n;
  for (; below + p <= 0.025; k++) {
    below += p;
    p = (p * (n - k)) / (k + 1);
  }
  return k === 0 ? [-Infinity, Infinity] : [s[k - 1], s[n - k]];
}

export const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * A 95 % t interval of the mean rise over the runs' own mean rises, each run one independent value
 * (Student 1908; the runs' means near normal by the central limit theorem; the quantile from
 * metrics/statistics/student-t.ts, which the verdicts use). bench/lib/toggle-coverage.ts
 * measured it to hold the known mean in 94.8 % of takes (bench/RESULTS.md, session 9). One run
 * gives no interval (NaN, printed n/a).
 */
export function runMeansT(take: number[][]): [number, number] {
  if (take.length < 2) return [NaN, NaN];
  const { m, se } = runMeans(take);
  const t = studentQuantile(0.975, take.length - 1);
  return [m - t * se, m + t * se];
}

/** The mean of the runs' own mean rises and its standard error over them (at least two runs). */
export function runMeans(take: number[][]): { m: number; se: number } {
  const ms = take.map(mean);
  const m = mean(ms);
  return { m, se: Math.sqrt(ms.reduce((a, b) => a + (b - m) ** 2, 0) / (ms.length - 1) / ms.length) };
}
