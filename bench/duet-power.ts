/**
 * Duet power (issue 21): false alarms and detection of the duet verdict (docs/cli.md "Duet runs"),
 * on an otherwise idle machine and beside a CPU hog, and beside them the regression verdict of
 * sequential runs under the same hog — the comparison a duet is meant to beat on a noisy runner.
 *
 * http scenario, `--users` (100), `--seconds` (30) per run, against the embedded servers:
 *  - duet A/A: `--server-latency lognormal:20:0.5 --duet-server-latency lognormal:20:0.5`, `--runs` of them;
 *  - duet A/B: side B's median raised by `--shift` % (5), `--runs` of them;
 *  - each under the conditions in `--conditions` (quiet,hog): `hog` runs a process spinning on one
 *    core for the whole series (half of this 2-core machine); `burst` runs one that comes and goes —
 *    it spins for 2–8 s, rests for 2–8 s, drawn at random —, a neighbour whose load differs from
 *    one run to the next;
 *  - sequential runs under each of `--seq-conditions` (hog): `--seq-runs` A runs and as many B runs,
 *    plain runs, each its own process; every A/A and A/B pair judged by the regression verdict, as
 *    bench/regression-power.ts.
 * A duet run is one comparison: its alarm is the duet verdict's `regression`.
 *
 *   node --import tsx bench/duet-power.ts [--users 100] [--seconds 30] [--runs 20] [--shift 5] [--seq-runs 7] [--conditions quiet,hog,burst] [--seq-conditions hog,burst] [--min-effect 3%] [--min-effect-ms 0.5] [--seed-base 0] [--dir /tmp/duet-power]
 *
 * `--min-effect` and `--min-effect-ms` are passed to the duet runs and used for the sequential
 * pairs (default: the product's — for a duet 1 % and 0.1 ms, for sequential pairs 3 % and 0.5 ms).
 *
 * Seeds: duet A/A 3000 + i, A/B 4000 + i, sequential A 6000 + i, B 7000 + i, each plus `--seed-base`
 * (0). The embedded servers' latency draws follow the seed, so the same seeds under two conditions
 * share their sampling noise: the conditions are then paired (what differs is the machine), but
 * their comparisons are not independent and must not be pooled. For replicates to pool, take each
 * series with its own `--seed-base` (e.g. 10000, 20000, …) and its own `--dir`.
 *
 * Runs already in --dir are reused (a run's latest.json is its record), so an interrupted bench resumes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { numberArg, textArg } from './lib/args.js';
import { readResultFile, type ResultFile } from '../src/run/judging/compare-files.js';
import { parseMinEffect, parseMinEffectMs, verdictSettings } from '../src/run/judging/compare.js';
import { regressionVerdict } from '../src/run/judging/verdict.js';
import type { RegressionVerdict } from '../src/metrics/verdict.js';
import { calibration, describeCalibration } from './lib/interval-calibration.js';

const USERS = numberArg('--users', 100);
const SECONDS = numberArg('--seconds', 30);
const RUNS = numberArg('--runs', 20);
const SHIFT = numberArg('--shift', 5);
const SEQ_RUNS = numberArg('--seq-runs', 7);
const SEED_BASE = numberArg('--seed-base', 0);
const CONDITIONS = textArg('--conditions', 'quiet,hog').split(',');
const SEQ_CONDITIONS = textArg('--seq-conditions', 'hog').split(',');
const DIR = textArg('--dir', '/tmp/duet-power');
const MIN_EFFECT = textArg('--min-effect');
const MIN_EFFECT_MS = textArg('--min-effect-ms');
const minimumFlags = [...(MIN_EFFECT ? ['--min-effect', MIN_EFFECT] : []), ...(MIN_EFFECT_MS ? ['--min-effect-ms', MIN_EFFECT_MS] : [])];
const CLI = join(process.cwd(), 'dist/bin/mlop-sim.js');
const MEDIAN_MS = 20;
const latency = (shift: number): string => `lognormal:${+(MEDIAN_MS * (1 + shift / 100)).toFixed(3)}:0.5`;

function runOnce(args: string[], dir: string): Promise<void> {
  if (existsSync(join(dir, 'latest.json'))) return Promise.resolve();
  const all = [CLI, '--scenario', 'http', '-u', String(USERS), '-t', `${SECONDS}s`, '--report-dir', dir, '-q', ...minimumFlags, ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, all, { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('close', (code) => (code === 0 || code === 1 ? resolve() : reject(new Error(`${all.join(' ')} exited ${code}`))));
  });
}

/** The noisy neighbour of a condition: none, a steady spinner, or one that spins 2–8 s and rests 2–8 s. */
function startHog(condition: string): ChildProcess | undefined {
  if (condition === 'hog') return spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
  if (condition === 'burst') {
    const burst = 'const draw = () => 2000 + 6000 * Math.random(); (function on() { const end = Date.now() + draw(); while (Date.now() < end) {} setTimeout(on, draw()); })();';
    return spawn(process.execPath, ['-e', burst], { stdio: 'ignore' });
  }
  if (condition !== 'quiet') throw new Error(`unknown condition ${condition}: quiet, hog or burst`);
  return undefined;
}

const pctOf = (n: number, d: number): string => `${((100 * n) / Math.max(1, d)).toFixed(1)} % (${n}/${d})`;

interface DuetOutcome { outcome: string; typical?: { change: number; lo: number; hi: number }; verdict?: RegressionVerdict }

function outcomeOf(v: RegressionVerdict | undefined): DuetOutcome {
  if (!v) return { outcome: 'none' };
  const t = v.tests.find((x) => x.metric === 'typical');
  return { outcome: v.outcome, verdict: v, ...(t ? { typical: { change: t.change, lo: t.lo, hi: t.hi } } : {}) };
}

function duetOutcome(dir: string): DuetOutcome {
  const r = JSON.parse(readFileSync(join(dir, 'latest.json'), 'utf8')) as { duet?: { verdict?: RegressionVerdict } };
  return outcomeOf(r.duet?.verdict);
}

/** A list line under the table: how well the A/A comparisons' intervals match their spread (lib/interval-calibration.ts). */
const calibrated = (label: string, aa: DuetOutcome[]): string =>
  `- ${describeCalibration(label, calibration(aa.flatMap((o) => (o.verdict ? [o.verdict] : []))))}`;

function row(label: string, outcomes: DuetOutcome[]): string {
  const alarms = outcomes.filter((o) => o.outcome === 'regression').length;
  const inconclusive = outcomes.filter((o) => o.outcome === 'inconclusive').length;
  const ch = outcomes.flatMap((o) => (o.typical ? [o.typical.change] : [])).sort((a, b) => a - b);
  const half = outcomes.flatMap((o) => (o.typical ? [(o.typical.hi - o.typical.lo) / 2] : [])).sort((a, b) => a - b);
  const med = (xs: number[]): string => (xs.length ? `${(xs[Math.floor(xs.length / 2)] * 100).toFixed(1)} %` : '–');
  const mean = ch.reduce((s, x) => s + x, 0) / Math.max(1, ch.length);
  const sd = ch.length > 1 ? Math.sqrt(ch.reduce((s, x) => s + (x - mean) ** 2, 0) / (ch.length - 1)) : NaN;
  return `| ${label} | ${outcomes.length} | ${pctOf(alarms, outcomes.length)} | ${pctOf(inconclusive, outcomes.length)} | ${med(ch)} | ±${med(half)} | ${(sd * 100).toFixed(2)} % |`;
}

async function duetSeries(condition: string): Promise<string[]> {
  const hog = startHog(condition);
  const started = Date.now();
  try {
    const aa: DuetOutcome[] = [], ab: DuetOutcome[] = [];
    for (let i = 0; i < RUNS; i++) {
      const dAA = join(DIR, condition, `AA-${i}`), dAB = join(DIR, condition, `AB-${i}`);
      // A/A and A/B alternate, so a drift of the machine hits both alike.
      await runOnce(['--seed', String(SEED_BASE + 3000 + i), '--server-latency', latency(0), '--duet-server-latency', latency(0)], dAA);
      await runOnce(['--seed', String(SEED_BASE + 4000 + i), '--server-latency', latency(0), '--duet-server-latency', latency(SHIFT)], dAB);
      aa.push(duetOutcome(dAA));
      ab.push(duetOutcome(dAB));
      process.stderr.write(`${condition} duet ${i + 1}/${RUNS}\n`);
    }
    return [
      row(`duet, ${condition}: A/A (false alarms)`, aa),
      row(`duet, ${condition}: B +${SHIFT} % (detection)`, ab),
      calibrated(`duet, ${condition}, A/A`, aa),
      `<!-- ${condition}: ${((Date.now() - started) / 1000).toFixed(0)} s, load average ${loadavg()[0].toFixed(1)} at the end -->`,
    ];
  } finally {
    hog?.kill();
  }
}

async function sequentialSeries(condition: string): Promise<string[]> {
  const hog = startHog(condition);
  try {
    const aDirs: string[] = [], bDirs: string[] = [];
    for (let i = 0; i < SEQ_RUNS; i++) {
      aDirs.push(join(DIR, `seq-${condition}`, `A-${i}`));
      bDirs.push(join(DIR, `seq-${condition}`, `B-${i}`));
      await runOnce(['--seed', String(SEED_BASE + 6000 + i), '--server-latency', latency(0)], aDirs[i]);
      await runOnce(['--seed', String(SEED_BASE + 7000 + i), '--server-latency', latency(SHIFT)], bDirs[i]);
      process.stderr.write(`sequential, ${condition} ${i + 1}/${SEQ_RUNS}\n`);
    }
    const read = (d: string): Promise<ResultFile> => readResultFile(join(d, 'latest.json'));
    const A = await Promise.all(aDirs.map(read)), B = await Promise.all(bDirs.map(read));
    const judge = (pairs: Array<[ResultFile, ResultFile]>): DuetOutcome[] => pairs.map(([a, b]) => {
      const v = regressionVerdict([a], [b], verdictSettings({
        ...(MIN_EFFECT ? { minEffect: parseMinEffect(MIN_EFFECT) } : {}), ...(MIN_EFFECT_MS ? { minEffectMs: parseMinEffectMs(MIN_EFFECT_MS) } : {}),
      }));
      return outcomeOf(v);
    });
    const aa: Array<[ResultFile, ResultFile]> = [];
    for (let i = 0; i < A.length; i++) for (let j = i + 1; j < A.length; j++) aa.push([A[i], A[j]]);
    const aaOutcomes = judge(aa);
    return [
      row(`sequential, ${condition}: A/A pairs (false alarms)`, aaOutcomes),
      row(`sequential, ${condition}: A × B +${SHIFT} % pairs (detection)`, judge(A.flatMap((a) => B.map((b) => [a, b] as [ResultFile, ResultFile])))),
      calibrated(`sequential, ${condition}, A/A pairs`, aaOutcomes),
    ];
  } finally {
    hog?.kill();
  }
}

const rows: string[] = [];
for (const c of CONDITIONS) rows.push(...(await duetSeries(c)));
if (SEQ_RUNS > 1) for (const c of SEQ_CONDITIONS) rows.push(...(await sequentialSeries(c)));
process.stdout.write([
  `### Duet power (issue 21): http scenario, ${USERS} users, ${SECONDS} s per run, B's median +${SHIFT} %, minimum effect ${MIN_EFFECT ?? 'the default'}, ${MIN_EFFECT_MS ?? 'default'} ms`,
  '',
  '| comparison | comparisons | verdict: regression | verdict: inconclusive | typical change (median) | its interval (median half-width) | typical change (sd over the comparisons) |',
  '|---|---|---|---|---|---|---|',
  ...rows.filter((r) => r.startsWith('|')),
  '',
  ...rows.filter((r) => r.startsWith('- ')),
  '',
  ...rows.filter((r) => r.startsWith('<!--')),
].join('\n') + '\n');
